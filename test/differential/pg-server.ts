/**
 * A throwaway PostgreSQL server for the differential tests: initdb into a temp dir, listen only
 * on a unix socket in that dir, and hand back a tiny query interface that returns every value as
 * Postgres' own text output (no node-postgres type parsing), so the harness compares text forms.
 *
 * When the tests run as root, initdb/pg_ctl run as the `postgres` OS user (Postgres refuses to
 * run as root).
 */
import { execFile, execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A column of a result, with the type's SQL name as `format_type` prints it. */
export interface PgField {
  name: string;
  type: string;
}

export interface PgRows {
  command: string;
  rowCount: number | null;
  fields: PgField[];
  /** Every value as Postgres' text output, or null. */
  rows: (string | null)[][];
}

export interface PgError {
  error: { code: string; message: string; position?: number; hint?: string };
}

export type PgOutcome = PgRows | PgError;

export interface PgConnection {
  query(sql: string): Promise<PgOutcome>;
  close(): Promise<void>;
}

export interface PgServer extends PgConnection {
  /** Creates a fresh database (dropping one of that name first) and connects to it. */
  database(name: string): Promise<PgConnection>;
  /** Stops the server and deletes its directory; safe to call more than once. */
  stop(): Promise<void>;
}

export const INSTALL_HINT =
  'PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/<version>/bin ' +
  'or on PATH. Install them with: apt-get install -y postgresql';

/** The directory that holds initdb and pg_ctl: the newest /usr/lib/postgresql/<ver>/bin, or PATH. */
export function findPgBin(): string {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v) && existsSync(join(root, v, 'bin', 'pg_ctl')))
      .sort((x, y) => Number(y) - Number(x));
    if (versions.length) return join(root, versions[0]!, 'bin');
  }
  for (const dir of (process.env.PATH ?? '').split(':')) {
    if (dir && existsSync(join(dir, 'pg_ctl')) && existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error(INSTALL_HINT);
}

const passthrough = (v: string) => v;
const textTypes = { getTypeParser: () => passthrough } as unknown as pg.CustomTypesConfig;

const SERVER_SETTINGS: Record<string, string> = {
  listen_addresses: "''",
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '20',
  shared_buffers: '16MB',
  TimeZone: "'UTC'",
  DateStyle: "'ISO, MDY'",
  IntervalStyle: "'postgres'",
  lc_messages: "'C'",
  log_min_messages: 'warning',
  autovacuum: 'off',
};

/** Whether the system has a locale (`locale -a`); initdb fails on a missing one. */
function hasLocale(name: string): boolean {
  try {
    return execFileSync('locale', ['-a']).toString().split('\n').includes(name);
  } catch {
    return false;
  }
}

function quoteShell(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Starts a server; throws with the install hint when the binaries are missing. */
export async function startPgServer(): Promise<PgServer> {
  const bin = findPgBin();
  const asRoot = userInfo().uid === 0;
  const dir = mkdtempSync(join(tmpdir(), 'pgdiff-'));
  const data = join(dir, 'data');
  const log = join(dir, 'server.log');
  const port = 20000 + Math.floor(Math.random() * 40000);

  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chmodSync(dir, 0o700);
  }

  /** Runs a Postgres binary, as the postgres user when we are root. */
  const pgExec = async (prog: string, args: string[]) => {
    const file = join(bin, prog);
    const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
    if (!asRoot) return run(file, args, { cwd: dir, env });
    if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser'))
      return run('runuser', ['-u', 'postgres', '--', file, ...args], { cwd: dir, env });
    return run('su', ['postgres', '-s', '/bin/sh', '-c', [file, ...args].map(quoteShell).join(' ')], {
      cwd: dir,
      env,
    });
  };
  const pgExecSync = (prog: string, args: string[]) => {
    const file = join(bin, prog);
    const opts = { cwd: dir, stdio: 'ignore' as const };
    if (!asRoot) execFileSync(file, args, opts);
    else execFileSync('runuser', ['-u', 'postgres', '--', file, ...args], opts);
  };

  let started = false;
  let stopped = false;
  const clients: pg.Client[] = [];
  const emergencyStop = () => {
    if (!started || stopped) return;
    stopped = true;
    try {
      pgExecSync('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
    } catch {
      /* best effort */
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const fail = (what: string, e: unknown): never => {
    let tail = '';
    try {
      tail = readFileSync(log, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      /* no log yet */
    }
    const out = e as { stderr?: string; message?: string };
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`PostgreSQL ${what} failed: ${out.stderr || out.message}\n${tail}`);
  };

  try {
    await pgExec('initdb', [
      '-D',
      data,
      '-A',
      'trust',
      '-U',
      'postgres',
      '--no-sync',
      '-E',
      'UTF8',
      '--locale=C',
      // Case mapping and character classes by Unicode (upper('é') is 'É'), as the engine's;
      // collation stays C (code point order), as the engine's.
      ...(hasLocale('C.utf8') ? ['--lc-ctype=C.UTF-8'] : []),
    ]);
  } catch (e) {
    fail('initdb', e);
  }
  const conf = Object.entries(SERVER_SETTINGS).map(([k, v]) => `${k} = ${v}`);
  conf.push(`port = ${port}`, `unix_socket_directories = '${dir}'`);
  appendFileSync(join(data, 'postgresql.conf'), `\n# differential test\n${conf.join('\n')}\n`);
  try {
    await pgExec('pg_ctl', ['start', '-D', data, '-l', log, '-w', '-t', '60', '-s']);
  } catch (e) {
    fail('pg_ctl start', e);
  }
  started = true;
  process.once('exit', emergencyStop);

  const connect = async (database: string): Promise<PgConnection> => {
    const client = new pg.Client({ host: dir, port, user: 'postgres', database, types: textTypes });
    await client.connect();
    clients.push(client);
    // Swallow async socket errors (e.g. when the server stops under an idle client).
    client.on('error', () => {});
    const typeNames = new Map<number, string>();
    const typeName = async (oid: number): Promise<string> => {
      let name = typeNames.get(oid);
      if (name === undefined) {
        const r = await client.query({ text: 'SELECT format_type($1::oid, NULL)', values: [oid] });
        name = String((r.rows[0] as Record<string, unknown>).format_type);
        typeNames.set(oid, name);
      }
      return name;
    };
    return {
      async query(sql: string): Promise<PgOutcome> {
        try {
          const r = await client.query({ text: sql, rowMode: 'array' });
          const res = Array.isArray(r) ? (r[r.length - 1] as pg.QueryArrayResult) : r;
          const fields: PgField[] = [];
          for (const f of res.fields ?? []) fields.push({ name: f.name, type: await typeName(f.dataTypeID) });
          return {
            command: res.command ?? '',
            rowCount: res.rowCount,
            fields,
            rows: (res.rows ?? []) as (string | null)[][],
          };
        } catch (e) {
          const err = e as { code?: string; message?: string; position?: string; hint?: string };
          if (!err.code) throw e;
          const out: PgError = { error: { code: err.code, message: err.message ?? '' } };
          if (err.position) out.error.position = Number(err.position);
          if (err.hint) out.error.hint = err.hint;
          return out;
        }
      },
      async close() {
        const i = clients.indexOf(client);
        if (i >= 0) clients.splice(i, 1);
        await client.end().catch(() => {});
      },
    };
  };

  let admin: PgConnection;
  try {
    admin = await connect('postgres');
  } catch (e) {
    emergencyStop();
    throw e;
  }

  return {
    query: (sql) => admin.query(sql),
    close: () => admin.close(),
    async database(name: string) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad database name ${name}`);
      for (const sql of [`DROP DATABASE IF EXISTS ${name}`, `CREATE DATABASE ${name} TEMPLATE template0`]) {
        const r = await admin.query(sql);
        if ('error' in r) throw new Error(`${sql}: ${r.error.message}`);
      }
      return connect(name);
    },
    async stop() {
      if (stopped) return;
      for (const c of clients.splice(0)) await c.end().catch(() => {});
      stopped = true;
      process.removeListener('exit', emergencyStop);
      try {
        await pgExec('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w', '-s']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
