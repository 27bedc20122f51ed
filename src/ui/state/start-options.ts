/**
 * How the lab words a start: its options as a person would write them, its errors, and the
 * fallback when a feature is not available yet (0A000): start without it, and say so.
 */
import type { ClusterOptions } from '../../workers/index.ts';

/** The 0A000 "not available yet" test every feature probe uses. */
export function isNotSupported(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === '0A000';
}

export function errorText(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${e.message}` : e.message;
  }
  return String(e);
}

/** Options as a person would write them in JavaScript: `{ hosts: ['sdw1', 'sdw2'], ... }`. */
export function formatOptions(o: object): string {
  const v = (x: unknown): string =>
    Array.isArray(x) ? `[${x.map(v).join(', ')}]` : typeof x === 'string' ? `'${x}'` : String(x);
  const parts = Object.entries(o)
    .filter(([, x]) => x !== undefined)
    .map(
      ([k, x]) =>
        `${k}: ${typeof x === 'object' && x !== null && !Array.isArray(x) ? formatOptions(x) : v(x)}`,
    );
  return `{ ${parts.join(', ')} }`;
}

/**
 * The options to try next when `e` refused `options` for a feature not built yet, and what the
 * start goes without; undefined when nothing is left to give up (the start failed).
 */
export function fallbackFrom(
  e: unknown,
  options: ClusterOptions,
): { options: ClusterOptions; without: string } | undefined {
  if (!isNotSupported(e)) return undefined;
  const why = (e as Error).message;
  if (options.mirroring && options.mirroring !== 'none')
    return {
      options: { ...options, mirroring: 'none' },
      without: `mirroring "${options.mirroring}" (${why})`,
    };
  if (options.standby)
    return { options: { ...options, standby: false }, without: `a standby coordinator (${why})` };
  return undefined;
}
