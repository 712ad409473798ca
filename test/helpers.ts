/** Shared test helpers: run the CLI in-process with captured output, temp repositories. */
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { main } from '../src/cli/main.js';
import type { CliIO } from '../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  opts: { cwd?: string; stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: (s) => {
      stdout += s;
    },
    stderr: (s) => {
      stderr += s;
    },
    readStdin: async () => opts.stdin ?? '',
    cwd: opts.cwd ?? process.cwd(),
    env: opts.env ?? {},
    isTTY: false,
  };
  const code = await main(['node', 'kaniko2buildkit', ...args], io);
  return { code, stdout, stderr };
}

/** A temporary repository with the given files (paths relative to its root). */
export function tempRepo(files: Record<string, string | Buffer>): string {
  const root = mkdtempSync(join(tmpdir(), 'k2b-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

export const SHARED = join(process.cwd(), '..', 'shared');

/** A plain Kaniko build job: the smallest pipeline the CLI migrates. */
export const KANIKO_JOB = `build:
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context . --dockerfile Dockerfile --destination registry.example.com/app:1
`;

/** A temporary repository holding KANIKO_JOB and its Dockerfile. */
export const kanikoRepo = (): string => tempRepo({ '.gitlab-ci.yml': KANIKO_JOB, Dockerfile: 'FROM scratch\n' });

/** The same build without a push (no registry involved). */
export const KANIKO_NO_PUSH_JOB = KANIKO_JOB.replace('--destination registry.example.com/app:1', '--no-push');
