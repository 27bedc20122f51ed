// Flat config: typescript-eslint recommended, plus the layer boundaries of STYLE.md
// (imports point downward: ui → workers → engine; the engine imports no browser library).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * The engine's layers, lowest first (docs/architecture.md draws them): a folder imports from
 * its own and lower ones only. The root files sit at the ends: errors.ts and version.ts below
 * every folder, index.ts (the public contract) above them all.
 */
const ENGINE_LAYERS = [
  'sql',
  'storage',
  'runtime',
  'wal',
  'txn',
  'access',
  'instance',
  'filerep',
  'replication',
  'plan',
  'catalog',
  'exec',
  'server',
  'topology',
  'node',
  'utilities',
  'cluster',
  'sim',
];

/** The engine's base import rules, with the layers above `layer` forbidden too. */
function engineImports(layer, allowComlink = false) {
  const above = layer ? ENGINE_LAYERS.slice(ENGINE_LAYERS.indexOf(layer) + 1) : [];
  const patterns = [
    { group: ['**/workers/**', '**/ui/**'], message: 'The engine imports nothing above it.' },
    {
      group: allowComlink ? ['idb', 'lit', 'lit/*', '@lit/*'] : ['comlink', 'idb', 'lit', 'lit/*', '@lit/*'],
      message: 'The engine stays free of browser libraries; runtimes plug them in.',
    },
  ];
  if (layer)
    patterns.push({
      regex: '^(\\.\\./)+index\\.ts$',
      message: 'index.ts is the public contract: nothing in the engine imports it.',
    });
  if (above.length)
    patterns.push({
      regex: `^(\\.\\./)+(${above.join('|')})/`,
      message: `Layers point downward (docs/architecture.md): ${layer}/ imports nothing from ${above.join(', ')}.`,
    });
  return ['error', { patterns }];
}

const noTests = {
  selector: 'CallExpression[callee.object.name=/^(it|test|describe)$/][callee.property.name=/^(only|skip)$/]',
  message: 'No focused or skipped tests.',
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'bench/results/**',
      'bench/.build/**',
      'coverage/**',
      'test-results/**',
      '.vitest-attachments/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', noTests],
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-console': 'error',
      // Determinism: time, timers and randomness come from the runtime, never from globals.
      'no-restricted-globals': [
        'error',
        'window',
        'document',
        'self',
        'setTimeout',
        'setInterval',
        'indexedDB',
        'performance',
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use the Clock the runtime hands in.' },
        { object: 'Math', property: 'random', message: 'Use the seeded random source the runtime hands in.' },
      ],
    },
  },
  { files: ['src/engine/*.ts'], rules: { 'no-restricted-imports': engineImports(undefined) } },
  ...ENGINE_LAYERS.map((layer) => ({
    files: [`src/engine/${layer}/**/*.ts`],
    // Runtime adapters may use Comlink (DESIGN.md: it lives in workers and runtime adapters).
    rules: { 'no-restricted-imports': engineImports(layer, layer === 'runtime') },
  })),
  {
    files: ['src/engine/errors.ts', 'src/engine/version.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\./', message: 'The root files below every layer import nothing of the engine.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/engine/runtime/real-clock.ts'],
    rules: { 'no-restricted-globals': 'off', 'no-restricted-properties': 'off' },
  },
  {
    files: ['src/workers/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/ui/**', 'lit', 'lit/*', '@lit/*'],
              message: 'Workers import the engine, never the UI.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/ui/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/engine/*/**', 'idb'],
              message: 'The UI talks to the public API (src/engine/index.ts) and the worker runtime only.',
            },
          ],
        },
      ],
    },
  },
);
