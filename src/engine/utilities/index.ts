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
import { dataDirectoryCommand, listFiles } from './host-files.ts';

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
    const fed = await builtin(host, files, feed, args);
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
    return redirect(await builtin(host, files, prog, argv), files, into);
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

/** A shell builtin on the host the utilities run on; `ls` also sees the data directories there. */
async function builtin(
  host: StandbyHost,
  files: Map<string, string>,
  prog: string,
  args: string[],
): Promise<UtilityResult> {
  if (prog !== 'ls') return shell(files, prog, args);
  const here = runsOn(host, 'ls');
  return listFiles(
    args,
    files,
    (await host.dataDirectories()).filter((d) => d.hostname === here),
  );
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
          return onHost(host, argv, files);
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
async function onHost(
  host: MaintenanceHost,
  argv: string[],
  files: Map<string, string>,
): Promise<UtilityResult> {
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
  if (prog === 'ls')
    return listFiles(
      rest,
      name === runsOn(host, 'ls') ? files : undefined,
      (await host.dataDirectories()).filter((d) => d.hostname === name),
    );
  return {
    exitCode: 127,
    stdout: '',
    stderr: `bash: ${prog ?? ''}: command not found (the lab runs pg_controldata, ls, rm -rf and mv on a host)\n`,
  };
}
