/** The shell builtins around the utilities' files: printf / echo into a file, cat with a glob, ls. */
import { describe, expect, it } from 'vitest';
import { redirect, shell } from '../../src/engine/utilities/shell-builtins.ts';
import { listFiles } from '../../src/engine/utilities/host-files.ts';

describe('shell builtins', () => {
  it('writes with printf and a redirect, reads back with cat and a glob, lists with ls', () => {
    const files = new Map<string, string>();
    expect(redirect(shell(files, 'printf', ['sdw3\\nsdw4\\n']), files, 'new_hosts').stdout).toBe('');
    expect(files.get('new_hosts')).toBe('sdw3\nsdw4\n');
    files.set('gpexpand_inputfile_20261205_120000', 'x|y\n');
    expect(shell(files, 'cat', ['gpexpand_inputfile_*']).stdout).toBe('x|y\n');
    expect(shell(files, 'cat', ['nothere'])).toMatchObject({
      exitCode: 1,
      stderr: 'cat: nothere: No such file or directory\n',
    });
    expect(listFiles([], files, []).stdout).toBe('gpexpand_inputfile_20261205_120000\nnew_hosts\n');
    expect(listFiles(['new_hosts', 'other'], files, [])).toEqual({
      exitCode: 2,
      stdout: 'new_hosts\n',
      stderr: "ls: cannot access 'other': No such file or directory\n",
    });
    expect(shell(files, 'echo', ['a', 'b']).stdout).toBe('a b\n');
  });

  // printf ignored its arguments and echo printed its options: both accepted and ignored.
  it('printf converts %s and %d, reusing the format; echo takes -n and -e; the rest is refused', () => {
    const files = new Map<string, string>();
    const run = (prog: string, ...argv: string[]) => shell(files, prog, argv);
    expect(run('printf', '%s\\n', 'sdw3', 'sdw4').stdout).toBe('sdw3\nsdw4\n');
    expect(run('printf', '%s|%d\\n', 'a', '7', 'b')).toEqual({
      exitCode: 0,
      stdout: 'a|7\nb|0\n',
      stderr: '',
    });
    expect(run('printf', 'y\\n', 'ignored?').stdout).toBe('y\n');
    expect(run('printf', '100%%\\n').stdout).toBe('100%\n');
    expect(run('printf', '%d', 'x')).toEqual({
      exitCode: 1,
      stdout: '0',
      stderr: 'printf: x: invalid number\n',
    });
    expect(run('printf', '%x', '1')).toMatchObject({ exitCode: 1, stdout: '' });
    expect(run('printf')).toMatchObject({ exitCode: 2 });
    expect(run('echo', '-n', 'a', 'b').stdout).toBe('a b');
    expect(run('echo', '-e', 'a\\nb').stdout).toBe('a\nb\n');
    expect(run('echo', 'a\\nb').stdout).toBe('a\\nb\n');
    expect(run('echo').stdout).toBe('\n');
  });
});
