/** Runs scripts in a real shell with a `rec` command on PATH that records its argv. */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

export interface ShellVariant {
  name: string;
  argv: string[];
}

/** `/bin/sh` always; `busybox sh` when busybox is on PATH. */
export function shellVariants(): { variants: ShellVariant[]; skipped: string[] } {
  const variants: ShellVariant[] = [{ name: '/bin/sh', argv: ['/bin/sh'] }];
  const skipped: string[] = [];
  const busybox = (process.env.PATH ?? '').split(delimiter).some((d) => d && existsSync(join(d, 'busybox')));
  if (busybox) variants.push({ name: 'busybox sh', argv: ['busybox', 'sh'] });
  else skipped.push('busybox sh (busybox is not on PATH)');
  return { variants, skipped };
}

export class RecordingShell {
  readonly dir = mkdtempSync(join(tmpdir(), 'shell-rec-'));
  private readonly out = join(this.dir, 'argv.bin');
  private readonly script = join(this.dir, 'script.sh');

  constructor() {
    // `printf` is a builtin in dash and busybox: arguments go out NUL-separated, count first,
    // which survives any byte except NUL (which cannot be in argv anyway).
    writeFileSync(join(this.dir, 'rec'), '#!/bin/sh\nprintf \'%s\\0\' "$#" "$@" >> "$REC_OUT"\n');
    chmodSync(join(this.dir, 'rec'), 0o755);
  }

  /** Runs `script` and returns the argv (without `rec`) of every `rec` call, in call order. */
  run(
    shell: ShellVariant,
    script: string,
    env: Record<string, string>,
  ): { calls: string[][]; stderr: string; status: number | null } {
    writeFileSync(this.script, script);
    writeFileSync(this.out, '');
    const res = spawnSync(shell.argv[0]!, [...shell.argv.slice(1), this.script], {
      env: { ...env, PATH: `${this.dir}${delimiter}${process.env.PATH ?? ''}`, REC_OUT: this.out, HOME: this.dir },
      cwd: this.dir,
      encoding: 'utf8',
      timeout: 10_000,
    });
    const fields = readFileSync(this.out, 'utf8').split('\0');
    fields.pop(); // after the last NUL
    const calls: string[][] = [];
    for (let i = 0; i < fields.length;) {
      const n = Number(fields[i]);
      calls.push(fields.slice(i + 1, i + 1 + n));
      i += 1 + n;
    }
    return { calls, stderr: res.stderr, status: res.status };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
