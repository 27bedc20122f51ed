// `npm run manifest`: custom-elements.json, the lab elements' manifest (package.json names it).
export default {
  globs: ['src/ui/**/*.ts'],
  exclude: ['src/ui/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  packagejson: false,
};
