/**
 * The few shell commands a DBA uses around the utilities' files on the coordinator host:
 * `printf` / `echo` (with `> file`) to write a hosts file or an input file, `cat` to read one,
 * `ls` to list them (host-files.ts). The files are the utilities' working directory (`cluster.files`).
 */
import type { UtilityResult } from '../node/api.ts';

export const SHELL_BUILTINS: readonly string[] = ['cat', 'echo', 'printf', 'ls'];

const ok = (stdout: string): UtilityResult => ({ exitCode: 0, stdout, stderr: '' });

/** Runs a builtin; its output, to be redirected or shown. */
export function shell(files: Map<string, string>, prog: string, argv: string[]): UtilityResult {
  switch (prog) {
    case 'echo':
      return echo(argv);
    case 'printf':
      return printf(argv);
    default: {
      let out = '';
      for (const name of argv.flatMap((a) => glob(files, a))) {
        const text = files.get(name);
        if (text === undefined)
          return { exitCode: 1, stdout: out, stderr: `cat: ${name}: No such file or directory\n` };
        out += text;
      }
      return ok(out);
    }
  }
}

/** \n, \t and \\, as printf's format and echo -e read them. */
function escapes(text: string): string {
  return text.replace(/\\([nt\\])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : '\\'));
}

/** echo [-n] [-e] WORD...: -n leaves out the newline, -e reads the escapes. */
function echo(argv: readonly string[]): UtilityResult {
  let i = 0;
  let newline = true;
  let interpret = false;
  for (; i < argv.length && /^-[ne]+$/.test(argv[i]!); i++) {
    if (argv[i]!.includes('n')) newline = false;
    if (argv[i]!.includes('e')) interpret = true;
  }
  const text = argv.slice(i).join(' ');
  return ok((interpret ? escapes(text) : text) + (newline ? '\n' : ''));
}

/**
 * printf FORMAT [ARG...]: the format's escapes and its %s, %d and %% conversions, the format used
 * again while arguments remain, as bash's printf does. Any other conversion is refused rather
 * than printed as it stands.
 */
function printf(argv: readonly string[]): UtilityResult {
  const [format, ...args] = argv;
  if (format === undefined)
    return { exitCode: 2, stdout: '', stderr: 'printf: usage: printf format [arguments]\n' };
  const odd = [...format.matchAll(/%(.?)/g)].find((m) => !['s', 'd', '%'].includes(m[1]!));
  if (odd)
    return {
      exitCode: 1,
      stdout: '',
      stderr: `printf: ${odd[0]}: the lab's printf converts %s, %d and %% only\n`,
    };
  const fmt = escapes(format);
  let out = '';
  let next = 0;
  let stderr = '';
  do {
    let used = false;
    out += fmt.replace(/%([sd%])/g, (_, c: string) => {
      if (c === '%') return '%';
      used = true;
      const a = args[next++] ?? '';
      if (c === 's') return a;
      if (a === '') return '0';
      if (!/^[-+]?\d+$/.test(a.trim())) {
        stderr += `printf: ${a}: invalid number\n`;
        return '0';
      }
      return String(Number(a));
    });
    if (!used) break;
  } while (next < args.length);
  return { exitCode: stderr ? 1 : 0, stdout: out, stderr };
}

/** A word with `*` names the files it matches, as the shell expands it (itself if none). */
export function glob(files: Map<string, string>, word: string): string[] {
  if (!word.includes('*')) return [word];
  const re = new RegExp(
    `^${word
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  const hits = [...files.keys()].filter((f) => re.test(f)).sort();
  return hits.length ? hits : [word];
}

/**
 * A command line's words as the shell passes them on: quotes removed, and an unquoted word with
 * `*` replaced by the files it matches (`gpexpand -i gpexpand_inputfile_*`).
 */
export function expandWords(files: Map<string, string>, line: string): string[] {
  return splitPipeline(files, line).flatMap((cmd, i) => (i ? ['|', ...cmd] : cmd));
}

/**
 * A command line as the commands of its pipeline (`printf 'y\n' | gpexpand`), each as its
 * words: an unquoted `|` word separates them; a quoted one is an argument.
 */
export function splitPipeline(files: Map<string, string>, line: string): string[][] {
  const out: string[][] = [[]];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) {
    if (m[3] === '|') out.push([]);
    else if (m[3] !== undefined) out.at(-1)!.push(...glob(files, m[3]));
    else out.at(-1)!.push(m[1] ?? m[2]!);
  }
  return out;
}

/** The program that runs a command line: its pipeline's last command's (where it must run). */
export function programOf(line: string): string | undefined {
  return splitPipeline(new Map(), line).at(-1)?.[0];
}

/** `> file`: the command's output written to the file instead of shown. */
export function redirect(
  r: UtilityResult,
  files: Map<string, string>,
  into: string | undefined,
): UtilityResult {
  if (into === undefined) return r;
  files.set(into, r.stdout);
  return { ...r, stdout: '' };
}
