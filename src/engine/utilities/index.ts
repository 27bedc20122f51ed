/** The management utilities, run through `cluster.run(commandLine)`. */
import { gpexpand } from './gpexpand.ts';
import type { UtilityResult } from '../node/api.ts';
import { gprecoverseg } from './gprecoverseg.ts';
import { gpstate } from './gpstate.ts';
import { gpaddmirrors } from './gpaddmirrors.ts';
import { gpmovemirrors } from './gpmovemirrors.ts';
import { gpReplicaCheck } from './gp-replica-check.ts';
import { splitArgs, UtilityLog } from './host.ts';
import { gpactivatestandby, gpinitstandby, type StandbyHost } from './standby.ts';
import { gpstop } from './gpstop.ts';
import { gpstart } from './gpstart.ts';
import { gpconfig } from './gpconfig.ts';
import { isMaintenanceHost, type MaintenanceHost } from './maintenance.ts';
import { pgControldata } from './pg-controldata.ts';
import { redirect, shell, SHELL_BUILTINS, splitPipeline } from './shell-builtins.ts';
import { validDatadir } from '../topology/config-files.ts';

export { programOf } from './shell-builtins.ts';

export type { UtilityHost } from './host.ts';
export type { StandbyHost } from './standby.ts';
export type { DataDirectory } from '../node/api.ts';
export type { MaintenanceHost, ShutdownMode } from './maintenance.ts';

/** Utilities that start and stop the coordinator itself: they run where processes are managed. */
export const PROCESS_UTILITIES: ReadonlySet<string> = new Set([
  'gpactivatestandby',
  'gpstop',
  'gpstart',
  'gpconfig',
  'pg_controldata',
  'ssh',
  ...SHELL_BUILTINS,
]);

export async function runUtility(
  host: StandbyHost,
  files: Map<string, string>,
  commandLine: string,
): Promise<UtilityResult> {
  const pipeline = splitPipeline(files, commandLine);
  // `printf 'answers' | gpexpand`: a builtin's output is the last command's standard input.
  let stdin: string | undefined;
  if (pipeline.length > 2 || pipeline.some((cmd) => !cmd.length))
    return {
      exitCode: 2,
      stdout: '',
      stderr: "bash: the lab's shell runs one pipe between two commands (printf ... | gpexpand)\n",
    };
  if (pipeline.length === 2) {
    const [feed = '', ...args] = pipeline[0]!;
    if (!SHELL_BUILTINS.includes(feed))
      return {
        exitCode: 2,
        stdout: '',
        stderr: `bash: only ${SHELL_BUILTINS.join(', ')} can feed a pipe in the lab's shell, not ${feed}\n`,
      };
    const fed = shell(files, feed, args);
    if (fed.exitCode !== 0) return fed;
    stdin = fed.stdout;
  }
  const [prog, ...words] = pipeline.at(-1)!;
  // `command > file`: the output goes to the file in the utilities' working directory.
  const at = words.indexOf('>');
  const argv = at >= 0 ? words.slice(0, at) : words;
  const into = at >= 0 ? words[at + 1] : undefined;
  if (at >= 0 && into === undefined)
    return { exitCode: 2, stdout: '', stderr: "bash: syntax error near unexpected token `newline'\n" };
  if (prog !== undefined && SHELL_BUILTINS.includes(prog))
    return redirect(shell(files, prog, argv), files, into);
  const log = new UtilityLog(prog ?? '', runsOn(host, prog), stdin);
  try {
    return redirect(await dispatch(host, files, prog, argv, log), files, into);
  } catch (e) {
    // What the utility could not survive (the coordinator is down, a lost connection): Greenplum's
    // utilities log it as CRITICAL, after what they had logged, and exit 2.
    const reason = e instanceof Error ? e.message : String(e);
    log.critical(`${prog} failed. (Reason='${reason}') exiting...`);
    return log.done(2);
  }
}

/**
 * The host a program runs on, as its log lines name it (program:host:user-[LEVEL]:-):
 * gpactivatestandby runs on the standby's host, the others on the coordinator's, which is
 * scdw once the standby was activated.
 */
function runsOn(host: StandbyHost, prog: string | undefined): string {
  try {
    const node =
      (prog === 'gpactivatestandby' ? host.standby()?.node : undefined) ?? host.coordinatorNodeIfAny();
    return node?.host ?? 'cdw';
  } catch {
    // No catalog to ask (a coordinator that cannot answer): the lab's coordinator host.
    return 'cdw';
  }
}

function dispatch(
  host: StandbyHost,
  files: Map<string, string>,
  prog: string | undefined,
  argv: string[],
  log: UtilityLog,
): Promise<UtilityResult> | UtilityResult {
  switch (prog) {
    case 'gprecoverseg':
      return gprecoverseg(host, argv, files, log);
    case 'gpstate':
      return gpstate(host, argv, log);
    case 'gpaddmirrors':
      return gpaddmirrors(host, argv, files, log);
    case 'gpmovemirrors':
      return gpmovemirrors(host, argv, files, log);
    case 'gpinitstandby':
      return gpinitstandby(host, argv, log);
    case 'gpexpand':
      return gpexpand(host, argv, files, log);
    case 'gpactivatestandby':
      return gpactivatestandby(host, argv, log);
    case 'gpstop':
    case 'gpstart':
    case 'gpconfig':
    case 'pg_controldata':
    case 'ssh':
      if (!isMaintenanceHost(host))
        throw new Error(`${prog} runs where the instances' processes are managed, not in the coordinator`);
      switch (prog) {
        case 'gpstop':
          return gpstop(host, argv, log);
        case 'gpstart':
          return gpstart(host, argv, log);
        case 'gpconfig':
          return gpconfig(host, argv, log);
        case 'pg_controldata':
          return pgControldata(host, argv, log.host);
        default:
          return onHost(host, argv);
      }
    case 'gp_replica_check':
    case 'gp_replica_check.py':
      return gpReplicaCheck(host, argv, log);
    case undefined:
      return { exitCode: 0, stdout: '', stderr: '' };
    default:
      return { exitCode: 127, stdout: '', stderr: `${prog}: command not found\n` };
  }
}

/** `ssh HOST command`: what the lab runs on a segment host (pg_controldata). */
async function onHost(host: MaintenanceHost, argv: string[]): Promise<UtilityResult> {
  const [name, ...command] = argv;
  // `ssh host "cmd args"` hands the remote shell one word: it splits it again.
  const [prog, ...rest] = command.length === 1 ? splitArgs(command[0]!) : command;
  if (name === undefined) return { exitCode: 255, stdout: '', stderr: 'usage: ssh destination [command]\n' };
  // The cluster's hosts, and every host an instance ever ran on: removing an instance (the old
  // coordinator, a standby gpinitstandby -r removed) does not remove its machine.
  const hosts = new Set([
    ...(await host.catalog()).map((r) => r.hostname),
    ...[...host.nodes.nodes.values()].map((n) => n.host),
  ]);
  if (!hosts.has(name))
    return {
      exitCode: 255,
      stdout: '',
      stderr: `ssh: Could not resolve hostname ${name}: Name or service not known\n`,
    };
  if (prog === 'pg_controldata') return pgControldata(host, rest, name);
  if (prog === 'rm' || prog === 'mv') return dataDirectoryCommand(host, name, prog, rest);
  return {
    exitCode: 127,
    stdout: '',
    stderr: `bash: ${prog ?? ''}: command not found (the lab runs pg_controldata, rm -rf and mv on a host)\n`,
  };
}

/**
 * `rm -rf DIR` and `mv DIR NEW` on a host, for the data directories the hosts hold: what a DBA
 * does to an old coordinator's directory before gpinitstandby puts a standby there. A directory
 * an instance in the configuration still uses is refused: its instance is removed with its
 * utility (gpinitstandby -r), not under it.
 */
async function dataDirectoryCommand(
  host: MaintenanceHost,
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
  const paths = args.filter((a) => !a.startsWith('-')).map((a) => a.replace(/\/+$/, ''));
  const dirs = (await host.dataDirectories()).filter((d) => d.hostname === hostname);
  const standbyDbid = host.standby()?.row.dbid;
  const at = (path: string) => dirs.find((d) => d.datadir === path);
  const inUse = (path: string, dbid: number) =>
    fail(
      1,
      `cannot ${prog === 'rm' ? 'remove' : 'move'} '${path}': the lab keeps the data directory of dbid ${dbid}, which the cluster's configuration still lists (${
        dbid === standbyDbid
          ? 'remove the standby with gpinitstandby -r first'
          : 'to rehearse losing it, crash the instance and rebuild it with gprecoverseg -F'
      })`,
    );
  if (prog === 'rm') {
    const recursive = flags.some((f) => /^-[a-zA-Z]*[rR]/.test(f) || f === '--recursive');
    const force = flags.some((f) => /^-[a-zA-Z]*f/.test(f) || f === '--force');
    if (!paths.length) return fail(1, 'missing operand');
    if (args.includes('/') && recursive)
      return fail(
        1,
        "it is dangerous to operate recursively on '/'\nrm: use --no-preserve-root to override this failsafe",
      );
    for (const path of paths) {
      const d = at(path);
      if (!d) {
        if (!force) return fail(1, `cannot remove '${path}': No such file or directory`);
        continue;
      }
      if (!recursive) return fail(1, `cannot remove '${path}': Is a directory`);
      if (!d.retired) return inUse(path, d.dbid);
    }
    for (const path of paths) {
      const d = at(path);
      if (d) await host.removeDataDirectory(d.dbid);
    }
    return { exitCode: 0, stdout: '', stderr: '' };
  }
  if (paths.length !== 2)
    return fail(
      1,
      paths.length < 2 ? 'missing destination file operand' : 'the lab moves one directory at a time',
    );
  const [from, to] = paths as [string, string];
  const d = at(from);
  if (!d) return fail(1, `cannot stat '${from}': No such file or directory`);
  if (!d.retired) return inUse(from, d.dbid);
  if (at(to)) return fail(1, `cannot move '${from}' to '${to}': Directory not empty`);
  if (!validDatadir(to))
    return fail(1, `cannot move '${from}' to '${to}': the lab keeps data directories at full paths`);
  await host.removeDataDirectory(d.dbid, to);
  return { exitCode: 0, stdout: '', stderr: '' };
}
