/**
 * The files and directories on a host, as a DBA reaches them over ssh: `ls` to see which data
 * directories a host holds, `rm -rf` and `mv` to clear an old one away. The hosts hold the
 * instances' data directories (each instance's files are its disk, reached by its own process)
 * and, on the host the utilities run on, their working directory (`cluster.files`).
 */
import type { DataDirectory, UtilityResult } from '../node/api.ts';
import type { StandbyHost } from './standby.ts';
import { normalizePath, validDatadir } from '../topology/config-files.ts';

/** The data directory `path` is, or is inside (whose files its instance keeps). */
function holding(dirs: readonly DataDirectory[], path: string): DataDirectory | undefined {
  return dirs.find((d) => d.datadir === path || path.startsWith(`${d.datadir}/`));
}

/** The data directories a path names: the one it is, or every one under a directory above them. */
function dirsUnder(dirs: readonly DataDirectory[], path: string): DataDirectory[] {
  return dirs.filter((d) => d.datadir === path || d.datadir.startsWith(path === '/' ? '/' : `${path}/`));
}

/**
 * `ls [-1] [NAME|DIR...]`: with no operand, the working directory's files (on the host the
 * utilities run on; none elsewhere); a name, that file; a full path, the directories under it
 * down to the data directories (`ls /data/coordinator` after a move shows gpseg-1 and
 * backup_gpseg-1). A data directory's own files stay inside its instance: listing one is refused
 * with what reads it instead. Names one per line, as ls writes to a pipe.
 */
export function listFiles(
  argv: readonly string[],
  files: ReadonlyMap<string, string> | undefined,
  dirs: readonly DataDirectory[],
): UtilityResult {
  const odd = argv.find((a) => a.startsWith('-') && a !== '-1');
  if (odd !== undefined)
    return {
      exitCode: 2,
      stdout: '',
      stderr: `ls: invalid option '${odd}' (the lab's ls takes -1: one name per line, which is how it always prints)\n`,
    };
  const operands = argv.filter((a) => a !== '-1');
  const lines = (xs: readonly string[]) => xs.map((x) => `${x}\n`).join('');
  if (!operands.length) return { exitCode: 0, stdout: lines([...(files?.keys() ?? [])].sort()), stderr: '' };
  const names: string[] = [];
  const listed: [string, string[]][] = [];
  let stderr = '';
  for (const raw of operands) {
    if (!raw.startsWith('/')) {
      if (files?.has(raw)) names.push(raw);
      else stderr += `ls: cannot access '${raw}': No such file or directory\n`;
      continue;
    }
    const path = normalizePath(raw);
    if (holding(dirs, path)) {
      stderr += `ls: cannot open directory '${raw}': the lab keeps a data directory's files inside its instance; pg_controldata -D ${path} reads its control file\n`;
      continue;
    }
    const prefix = path === '/' ? '/' : `${path}/`;
    const children = [
      ...new Set(dirsUnder(dirs, path).map((d) => d.datadir.slice(prefix.length).split('/')[0]!)),
    ].sort();
    if (children.length || path === '/') listed.push([raw, children]);
    else stderr += `ls: cannot access '${raw}': No such file or directory\n`;
  }
  const blocks = listed.map(([raw, children]) => (operands.length > 1 ? `${raw}:\n` : '') + lines(children));
  const stdout = [...(names.length ? [lines(names.sort())] : []), ...blocks].join(
    operands.length > 1 ? '\n' : '',
  );
  return { exitCode: stderr ? 2 : 0, stdout, stderr };
}

/**
 * `rm -rf DIR` and `mv DIR NEW` on a host, for the data directories the hosts hold: what a DBA
 * does to an old coordinator's directory before gpinitstandby puts a standby there. A directory
 * an instance in the configuration still uses is refused: its instance is removed with its
 * utility (gpinitstandby -r), not under it.
 */
export async function dataDirectoryCommand(
  host: StandbyHost,
  hostname: string,
  prog: 'rm' | 'mv',
  args: string[],
): Promise<UtilityResult> {
  const fail = (exitCode: number, msg: string): UtilityResult => ({
    exitCode,
    stdout: '',
    stderr: `${prog}: ${msg}\n`,
  });
  const flags = args.filter((a) => a.startsWith('-'));
  // Only the options the lab carries out: rm -r/-R/-f, mv -f (an existing target is refused
  // either way). Any other (rm -i, mv -n, -v) is refused rather than ignored.
  const takes = prog === 'rm' ? /^(-[rRf]+|--recursive|--force)$/ : /^(-f+|--force)$/;
  const odd = flags.find((f) => !takes.test(f));
  if (odd !== undefined)
    return fail(
      1,
      `invalid option '${odd}' (the lab's ${prog} takes ${prog === 'rm' ? '-r, -R and -f' : '-f'})`,
    );
  const operands = args.filter((a) => !a.startsWith('-'));
  const dirs = (await host.dataDirectories()).filter((d) => d.hostname === hostname);
  const standbyDbid = host.standby()?.row.dbid;
  const under = (path: string) => dirsUnder(dirs, path);
  const exists = (path: string) => path === '/' || under(path).length > 0;
  const live = (path: string) => under(path).find((d) => !d.retired);
  const inUse = (path: string, dbid: number) =>
    fail(
      1,
      `cannot ${prog === 'rm' ? 'remove' : 'move'} '${path}': the lab keeps the data directory of dbid ${dbid}, which the cluster's configuration still lists (${
        dbid === standbyDbid
          ? 'remove the standby with gpinitstandby -r first'
          : 'to rehearse losing it, crash the instance and rebuild it with gprecoverseg -F'
      })`,
    );
  // Paths as the kernel resolves them (a relative one from gpadmin's home, which holds none).
  const resolve = (raw: string) => (raw.startsWith('/') ? normalizePath(raw) : `/home/gpadmin/${raw}`);
  if (prog === 'rm') {
    const recursive = flags.some((f) => /^-[a-zA-Z]*[rR]/.test(f) || f === '--recursive');
    const force = flags.some((f) => /^-[a-zA-Z]*f/.test(f) || f === '--force');
    if (!operands.length) return fail(1, 'missing operand');
    // Every operand is checked before anything is removed.
    const doomed: DataDirectory[] = [];
    for (const raw of operands) {
      const path = resolve(raw);
      if (path === '/' && recursive)
        return fail(
          1,
          "it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe",
        );
      if (!exists(path)) {
        if (!force) return fail(1, `cannot remove '${raw}': No such file or directory`);
        continue;
      }
      if (!recursive) return fail(1, `cannot remove '${raw}': Is a directory`);
      const busy = live(path);
      if (busy) return inUse(busy.datadir, busy.dbid);
      doomed.push(...under(path));
    }
    for (const d of new Set(doomed)) await host.removeDataDirectory(d.dbid);
    return { exitCode: 0, stdout: '', stderr: '' };
  }
  if (operands.length !== 2)
    return fail(
      1,
      operands.length < 2 ? 'missing destination file operand' : 'the lab moves one directory at a time',
    );
  const [fromRaw, toRaw] = operands as [string, string];
  const from = resolve(fromRaw);
  if (from === '/' || !exists(from)) return fail(1, `cannot stat '${fromRaw}': No such file or directory`);
  // Into a directory that exists, under its own name; else to that name.
  const named = resolve(toRaw);
  const to = exists(named) ? normalizePath(`${named}/${from.slice(from.lastIndexOf('/') + 1)}`) : named;
  const holder = holding(dirs, named);
  if (holder)
    return fail(
      1,
      `cannot move '${fromRaw}' into '${holder.datadir}': it is the data directory of dbid ${holder.dbid}, whose files the lab keeps inside its instance`,
    );
  if (to === from || to.startsWith(`${from}/`))
    return fail(1, `cannot move '${fromRaw}' to a subdirectory of itself, '${to}'`);
  const busy = live(from);
  if (busy) return inUse(busy.datadir, busy.dbid);
  if (exists(to)) return fail(1, `cannot move '${fromRaw}' to '${to}': Directory not empty`);
  const parent = to.slice(0, to.lastIndexOf('/')) || '/';
  if (!exists(parent) || !validDatadir(to))
    return fail(
      1,
      `cannot move '${fromRaw}' to '${toRaw}': No such file or directory (the lab's hosts hold the data directories and the directories above them)`,
    );
  for (const d of under(from)) await host.removeDataDirectory(d.dbid, to + d.datadir.slice(from.length));
  return { exitCode: 0, stdout: '', stderr: '' };
}
