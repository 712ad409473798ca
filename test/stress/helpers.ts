/** Helpers for the stress tests: the CLI built from the current sources, byte snapshots of folders, repositories. */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const REPO = process.cwd();

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? files(p) : [p];
  });
}

/**
 * `bin/kaniko2buildkit.js` of the current sources, compiled and bundled (scripts/bundle.mjs) once into a temporary
 * folder named after a hash of `src/`, `bin/` and the bundle script (the repository's own `dist/` may be stale, and
 * other sessions may be rebuilding it). Readable by everyone: one test runs it as another user.
 */
export function builtCli(): string {
  const hash = createHash('sha256');
  for (const f of files(join(REPO, 'src')).sort()) hash.update(relative(REPO, f)).update(readFileSync(f));
  for (const f of [...files(join(REPO, 'bin')).sort(), join(REPO, 'scripts', 'bundle.mjs'), join(REPO, 'package.json')])
    hash.update(readFileSync(f));
  // the checkout too: the copy links its node_modules, and another checkout of the same sources may be gone
  hash.update(REPO);
  const dir = join(tmpdir(), `k2b-cli-${hash.digest('hex').slice(0, 16)}`);
  const bin = join(dir, 'bin', 'kaniko2buildkit.js');
  if (existsSync(bin) && existsSync(join(dir, 'node_modules', 'commander'))) return bin;
  rmSync(dir, { recursive: true, force: true });
  const work = mkdtempSync(join(tmpdir(), 'k2b-build-'));
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(
    process.execPath,
    [
      tsc,
      '-p',
      join(REPO, 'tsconfig.build.json'),
      '--outDir',
      join(work, 'dist'),
      '--sourceMap',
      'false',
      '--declaration',
      'false',
    ],
    { encoding: 'utf8' },
  );
  if (!existsSync(join(work, 'dist', 'cli', 'main.js')))
    throw new Error(`could not build the CLI:\n${r.stdout}${r.stderr}`);
  cpSync(join(REPO, 'bin'), join(work, 'bin'), { recursive: true });
  cpSync(join(REPO, 'package.json'), join(work, 'package.json'));
  symlinkSync(join(REPO, 'node_modules'), join(work, 'node_modules'));
  // and the bundle bin/ runs, as `npm run build` makes it (from the packages of the linked node_modules)
  const b = spawnSync(process.execPath, [join(REPO, 'scripts', 'bundle.mjs'), '--dist', join(work, 'dist')], {
    encoding: 'utf8',
  });
  if (!existsSync(join(work, 'dist', 'cli', 'bundle.cjs')))
    throw new Error(`could not bundle the CLI:\n${b.stdout}${b.stderr}`);
  chmodSync(work, 0o755);
  try {
    renameSync(work, dir);
  } catch {
    rmSync(work, { recursive: true, force: true }); // another worker was first
  }
  return bin;
}

/** Every entry under a folder (files, links, fifos) with a hash of its bytes: compare two to see that nothing changed. */
export function snapshot(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const rel = relative(root, p);
      const st = lstatSync(p);
      if (e.isDirectory()) walk(p);
      else if (e.isSymbolicLink()) out[rel] = `link:${readlinkSync(p)}`;
      else if (e.isFile())
        out[rel] = `${st.mode.toString(8)}:${st.size}:${st.size > 0 && (st.mode & 0o444) !== 0 ? hashOf(p) : ''}`;
      else out[rel] = `special:${st.mode.toString(8)}`;
    }
  };
  walk(root);
  return out;
}

function hashOf(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch (e) {
    return `unreadable:${(e as NodeJS.ErrnoException).code}`;
  }
}

export const DOCKERFILE = 'FROM alpine:3.20\n';

/** A Kaniko build job (migrated by the tool). */
export const kanikoJob = (name: string, destination = `$CI_REGISTRY_IMAGE/${name}:$CI_COMMIT_SHORT_SHA`) => `${name}:
  stage: build
  image:
    name: gcr.io/kaniko-project/executor:debug
    entrypoint: [""]
  script:
    - /kaniko/executor --context "$CI_PROJECT_DIR" --dockerfile "$CI_PROJECT_DIR/Dockerfile" --destination "${destination}"
`;

export const plainJob = (name: string) => `${name}:
  stage: test
  image: node:20-alpine
  script:
    - npm ci
    - npm test
`;
