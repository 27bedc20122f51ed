/**
 * Splits a script into statements at top-level semicolons, as psql does: not inside quotes,
 * quoted identifiers, dollar-quoted strings or comments; a COPY ... FROM STDIN keeps the data
 * lines after it (through the `\.` line) as its own. Empty statements are dropped.
 */
import { copyDataSpan, isCopyFromStdin, scanStatements } from '../../engine/index.ts';

export function splitStatements(script: string): string[] {
  const out: string[] = [];
  scanStatements(script, (start, end) => {
    const text = script.slice(start, end);
    if (end < script.length && isCopyFromStdin(text)) {
      const span = copyDataSpan(script, end);
      out.push(script.slice(start, span.resume).trimStart());
      return span.resume;
    }
    out.push(text.trim());
    return undefined;
  });
  return out.filter((s) => s.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() !== '');
}
