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
      return ok(argv.join(' ') + '\n');
    case 'printf':
      // The format's escapes (\n, \t, \\); a plain format, no conversions.
      return ok(
        (argv[0] ?? '').replace(/\\([nt\\])/g, (_, c: string) =>
          c === 'n' ? '\n' : c === 't' ? '\t' : '\\',
        ),
      );
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
