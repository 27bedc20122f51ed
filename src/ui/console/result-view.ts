import { html, nothing } from 'lit';

/** The outcome of one statement, as the console keeps it. */
export interface StatementOutcome {
  sql: string;
  ms: number;
  target: string;
  result?: {
    command: string;
    rowCount: number;
    fields: { name: string; type: string }[];
    rows: unknown[][];
    notices: string[];
    /** COPY ... TO STDOUT's data. */
    copyOut?: string;
    transactionStatus?: 'idle' | 'in transaction' | 'failed';
  };
  error?: { code: string; message: string; detail?: string; hint?: string; position?: number };
}

const MAX_ROWS = 200;

export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return 'NULL';
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object')
    return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  return String(v);
}

/** The psql-style command tag: 'INSERT 0 100', 'SELECT 3', 'UPDATE 2'. */
export function commandTag(r: { command: string; rowCount: number }): string {
  if (r.command === 'INSERT') return `INSERT 0 ${r.rowCount}`;
  if (['SELECT', 'UPDATE', 'DELETE', 'COPY', 'MOVE', 'FETCH'].includes(r.command))
    return `${r.command} ${r.rowCount}`;
  return r.command;
}

export function errorFrom(e: unknown): NonNullable<StatementOutcome['error']> {
  if (e instanceof Error) {
    const x = e as Error & { code?: unknown; detail?: unknown; hint?: unknown; position?: unknown };
    const out: NonNullable<StatementOutcome['error']> = {
      code: typeof x.code === 'string' ? x.code : 'XX000',
      message: e.message,
    };
    if (typeof x.detail === 'string') out.detail = x.detail;
    if (typeof x.hint === 'string') out.hint = x.hint;
    if (typeof x.position === 'number') out.position = x.position;
    return out;
  }
  return { code: 'XX000', message: String(e) };
}

/**
 * A one-column text result as psql prints it (EXPLAIN's QUERY PLAN): the column name centred
 * over a rule, every line as is (its indentation kept), then the row count.
 */
export function psqlText(name: string, lines: string[]): string {
  const width = Math.max(name.length, ...lines.map((l) => l.length)) + 2;
  const pad = Math.max(0, Math.floor((width - name.length) / 2));
  const head = `${' '.repeat(pad)}${name}`;
  return [
    head,
    '-'.repeat(width),
    ...lines.map((l) => ` ${l}`),
    `(${lines.length} row${lines.length === 1 ? '' : 's'})`,
  ].join('\n');
}

/** COPY TO STDOUT's lines, as psql prints them, cut after MAX_ROWS. */
function copyText(out: string): string {
  const lines = out.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const shown = lines.slice(0, MAX_ROWS).join('\n');
  return lines.length > MAX_ROWS ? `${shown}\n… ${lines.length - MAX_ROWS} more lines not shown` : shown;
}

function isPlan(r: NonNullable<StatementOutcome['result']>): boolean {
  return r.fields.length === 1 && r.fields[0]!.name === 'QUERY PLAN';
}

export function renderOutcome(o: StatementOutcome) {
  const r = o.result;
  const e = o.error;
  if (r && isPlan(r))
    return html`<article class="outcome plan" data-code="">
      <code class="cmd sql">${o.sql}</code>
      <pre class="plan" tabindex="0">
${psqlText(
          'QUERY PLAN',
          r.rows.map((x) => formatValue(x[0])),
        )}</pre>
      <p class="tag muted">${commandTag(r)} · ${o.ms.toFixed(1)} ms · ${o.target}</p>
    </article>`;
  return html`<article class="outcome ${e ? 'failed' : ''}" data-code=${e?.code ?? ''}>
    <code class="cmd sql">${o.sql}</code>
    ${r?.notices.map((n) => html`<p class="notice">${n}</p>`)}
    ${
      r && r.fields.length
        ? html`<div class="scroll table-wrap" tabindex="0" role="group" aria-label="Result rows">
              <table>
                <thead>
                  <tr>
                    ${r.fields.map((f) => html`<th scope="col" title=${f.type}>${f.name}</th>`)}
                  </tr>
                </thead>
                <tbody>
                  ${r.rows.slice(0, MAX_ROWS).map(
                    (row) =>
                      html`<tr>
                        ${row.map((v) => html`<td class=${v === null ? 'null' : typeof v === 'number' ? 'num' : ''}>${formatValue(v)}</td>`)}
                      </tr>`,
                  )}
                </tbody>
              </table>
            </div>
            ${r.rows.length > MAX_ROWS ? html`<p class="muted">… ${r.rows.length - MAX_ROWS} more rows not shown</p>` : nothing}`
        : nothing
    }
    ${
      r?.copyOut !== undefined
        ? html`<pre class="plan copy-out" tabindex="0" aria-label="COPY output">${copyText(r.copyOut)}</pre>`
        : nothing
    }
    ${r ? html`<p class="tag muted">${commandTag(r)}${r.fields.length ? ` (${r.rows.length} row${r.rows.length === 1 ? '' : 's'})` : ''} · ${o.ms.toFixed(1)} ms · ${o.target}</p>` : nothing}
    ${
      e
        ? html`<div class="err" role="alert">
            <p><strong>ERROR:</strong> ${e.message}</p>
            <p class="sqlstate">
              SQLSTATE:
              <code>${e.code}</code
              >${e.position !== undefined ? html` · at character ${e.position}` : nothing}
            </p>
            ${e.detail ? html`<p>DETAIL: ${e.detail}</p>` : nothing}
            ${e.hint ? html`<p>HINT: ${e.hint}</p>` : nothing}
            <p class="tag muted">${o.ms.toFixed(1)} ms · ${o.target}</p>
          </div>`
        : nothing
    }
  </article>`;
}
