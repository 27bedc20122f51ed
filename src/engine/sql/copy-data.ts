/**
 * COPY ... FROM STDIN data inside a script, as psql reads a dump: the rows follow the
 * statement's semicolon, from the next line up to a line `\.` (or the end of the script).
 * The lexer never sees them: `extractCopyData` blanks them out (keeping every offset) and hands
 * them to the parser by the COPY keyword's position. The lab's console splits scripts with the
 * same rule (`statementEnd`).
 */

const COPY_FROM_STDIN = /^copy\b[\s\S]*\bfrom\s+stdin\b/i;

/** A statement's text without comments and with its quoted strings and names emptied. */
function bare(statement: string): string {
  return statement
    .replace(/--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"/g, (m) =>
      m.startsWith("'") ? "''" : m.startsWith('"') ? '""' : ' '.repeat(m.length),
    )
    .trim();
}

/** Whether a statement's text (comments allowed) is COPY ... FROM STDIN. */
export function isCopyFromStdin(statement: string): boolean {
  return COPY_FROM_STDIN.test(bare(statement));
}

/**
 * Where the data of a COPY FROM STDIN whose `;` is at `semicolon` lies: from the next line to
 * the `\.` line (exclusive), and where the script goes on after it.
 */
export function copyDataSpan(
  script: string,
  semicolon: number,
): { start: number; end: number; resume: number } {
  const nl = script.indexOf('\n', semicolon);
  const start = nl < 0 ? script.length : nl + 1;
  let at = start;
  while (at < script.length) {
    const eol = script.indexOf('\n', at);
    const lineEnd = eol < 0 ? script.length : eol;
    if (script.slice(at, lineEnd).replace(/\r$/, '') === '\\.') {
      return { start, end: at, resume: eol < 0 ? script.length : eol + 1 };
    }
    at = lineEnd + 1;
  }
  return { start, end: script.length, resume: script.length };
}

/**
 * The top-level statement boundaries of a script (not inside quotes, quoted identifiers, dollar
 * quotes or comments), with COPY FROM STDIN data kept with its statement. `onStatement` gets
 * each statement's text range; it returns where scanning resumes.
 */
export function scanStatements(
  script: string,
  onStatement: (start: number, end: number) => number | void,
): void {
  let start = 0;
  let i = 0;
  const n = script.length;
  while (i < n) {
    const c = script[i]!;
    const next = script[i + 1];
    if (c === "'" || c === '"') {
      i++;
      while (i < n) {
        if (script[i] === c) {
          if (script[i + 1] === c) i += 2;
          else break;
        } else i++;
      }
      i++;
    } else if (c === '-' && next === '-') {
      while (i < n && script[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < n && depth > 0) {
        if (script[i] === '/' && script[i + 1] === '*') {
          depth++;
          i += 2;
        } else if (script[i] === '*' && script[i + 1] === '/') {
          depth--;
          i += 2;
        } else i++;
      }
    } else if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(script.slice(i, i + 64));
      if (m) {
        const end = script.indexOf(m[0], i + m[0].length);
        i = end < 0 ? n : end + m[0].length;
      } else i++;
    } else if (c === ';') {
      const resume = onStatement(start, i);
      i = typeof resume === 'number' ? resume : i + 1;
      start = i;
    } else i++;
  }
  if (start < n) onStatement(start, n);
}

/** The script with COPY data blanked out, and each data block by its COPY keyword's 1-based position. */
export function extractCopyData(script: string): { sql: string; data: Map<number, string> } {
  const data = new Map<number, string>();
  if (!/\bcopy\b/i.test(script)) return { sql: script, data };
  let sql = script;
  scanStatements(script, (start, end) => {
    const text = script.slice(start, end);
    if (end >= script.length || !isCopyFromStdin(text)) return;
    const span = copyDataSpan(script, end);
    // The COPY keyword, past any comment before it (a pg_dump comment may say "copy").
    const lead = /^(?:\s+|--[^\n]*|\/\*[\s\S]*?\*\/)*/.exec(text)![0].length;
    const keyword = start + lead + 1;
    // Nothing after the statement at all: no data was given (the server says so).
    if (span.resume > span.start || span.end > span.start)
      data.set(keyword, script.slice(span.start, span.end));
    // Blank the data and its end marker, keeping newlines so positions and lines stay true.
    sql =
      sql.slice(0, end + 1) +
      script.slice(end + 1, span.resume).replace(/[^\n]/g, ' ') +
      sql.slice(span.resume);
    return span.resume;
  });
  return { sql, data };
}
