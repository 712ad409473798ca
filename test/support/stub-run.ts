/**
 * Runs a GitLab job script for real with `sh` (dash) or `busybox sh`, with the build tools replaced by stubs
 * that only record their argv.
 *
 * - Script: `set -e`, then the `before_script` + `script` items joined with newlines (what the runner does).
 * - Stubs (each `#!/bin/sh` + `exec node stub.cjs …`; node JSON-encodes argv, cwd and env safely):
 *   `buildctl-daemonless.sh` and `executor` in a PATH dir, and `$STUBROOT/kaniko/executor`.
 * - `/kaniko/` cannot be created, so with `image: 'kaniko'` every `/kaniko/` path prefix in the script text and
 *   in env values is textually replaced with the literal path `$STUBROOT/kaniko/` before running (a literal path,
 *   not a variable reference, so it also works inside single quotes). `$STUBROOT/kaniko/.docker/` exists, as in
 *   the Kaniko image, and the Kaniko image env `DOCKER_CONFIG=/kaniko/.docker/` is set unless the job sets it.
 *   With `image: 'buildkit'` nothing is mapped: a migrated script that still mentions `/kaniko` is refused.
 * - `/tmp/` is mapped the same way (for both images) to a private `<tmp>/tmp/`, so that a script writing e.g.
 *   `/tmp/buildkitd.toml` neither touches the host nor races another run.
 * - HOME is a fresh temp dir with no `.docker` (the BuildKit image has none). cwd is a temp copy of `projectDir`.
 *   With `image: 'buildkit'`, the literal `/home/user` (that image's HOME, which a migrated job may name, e.g.
 *   `DOCKER_CONFIG: /home/user/.docker`) is mapped to HOME the same way, so nothing is written to the host's.
 * - The shell env is exactly: image env, then `opts.env` (job variables win), PATH, HOME, STUBROOT. Nothing
 *   leaks in from the test process.
 * - With `shell: 'busybox'`, busybox applets (mkdir, cat, base64, tr, sed, …) come first in PATH, as in the
 *   Alpine-based BuildKit image. Other commands (`echo`, `printf`, …) run for real.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type StubTool = 'kaniko' | 'buildctl';

export interface StubCall {
  tool: StubTool;
  argv: string[];
  /** cwd of the stub process */
  cwd: string;
  /** full environment of the stub process */
  env: Record<string, string>;
  /** buildctl only: the buildkitd.toml the daemon would read, at the time of the call (content null: no file) */
  buildkitdConfig?: { path: string; explicit: boolean; content: string | null };
}

export interface RunOptions {
  /** job environment: predefined GitLab variables + job variables (see `gitlabEnv`) */
  env: Record<string, string>;
  shell?: 'sh' | 'busybox';
  /** copied to a temp dir that becomes the cwd (and should be `$CI_PROJECT_DIR`; see `projectDirPlaceholder`) */
  projectDir?: string;
  /** which image the job runs in: decides the `/kaniko/` mapping and the image env. Default 'kaniko'. */
  image?: 'kaniko' | 'buildkit';
  /** keep the temp dirs until `cleanup()` (default false: removed before returning, paths then dangle) */
  keep?: boolean;
  timeoutMs?: number;
  /**
   * Run the shell (and so the stubs) as this uid, with gid = uid and no supplementary groups (node's spawn
   * `uid`/`gid`, as `setpriv --reuid --regid --clear-groups`), like the rootless BuildKit image's user 1000. The
   * whole temp tree (HOME, cwd, stubs, log) is chowned to it first. Needs root unless it is the current uid.
   */
  uid?: number;
}

export interface RunResult {
  calls: StubCall[];
  /** registry auth files found afterwards: 'kaniko' = $STUBROOT/kaniko/.docker/config.json, 'home', and $DOCKER_CONFIG/config.json as 'dockerConfig' */
  files: Record<string, string>;
  exitCode: number;
  stdout: string;
  stderr: string;
  /** the temp copy used as cwd / $CI_PROJECT_DIR */
  cwd: string;
  home: string;
  stubRoot: string;
  /** the exact script text that ran */
  scriptText: string;
  cleanup(): void;
}

/** Value used for `CI_PROJECT_DIR` in `opts.env`: replaced by the temp cwd at run time. */
export const projectDirPlaceholder = '@@CI_PROJECT_DIR@@';

let busyboxPath: string | null | undefined;
/** Path of busybox, or null (then the busybox runs are skipped with a console message). */
export function findBusybox(): string | null {
  if (busyboxPath === undefined) {
    const r = spawnSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' });
    busyboxPath = r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
  }
  return busyboxPath;
}

/** The default GitLab-like predefined variables (CI_COMMIT_TAG deliberately unset). */
export function gitlabEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    CI: 'true',
    GITLAB_CI: 'true',
    CI_SERVER: 'yes',
    CI_SERVER_HOST: 'gitlab.example.com',
    CI_SERVER_URL: 'https://gitlab.example.com',
    CI_API_V4_URL: 'https://gitlab.example.com/api/v4',
    CI_PROJECT_DIR: projectDirPlaceholder,
    CI_BUILDS_DIR: '/builds',
    CI_PROJECT_ID: '4242',
    CI_PROJECT_NAME: 'proj',
    CI_PROJECT_NAMESPACE: 'group',
    CI_PROJECT_PATH: 'group/proj',
    CI_PROJECT_PATH_SLUG: 'group-proj',
    CI_PROJECT_URL: 'https://gitlab.example.com/group/proj',
    CI_REGISTRY: 'registry.example.com',
    CI_REGISTRY_IMAGE: 'registry.example.com/group/proj',
    CI_REGISTRY_USER: 'gitlab-ci-token',
    CI_REGISTRY_PASSWORD: 'glcbt-64_JobTokenExample0123456789abcdefgh',
    CI_JOB_TOKEN: 'glcbt-64_JobTokenExample0123456789abcdefgh',
    CI_DEPENDENCY_PROXY_SERVER: 'gitlab.example.com:443',
    CI_DEPENDENCY_PROXY_GROUP_IMAGE_PREFIX: 'gitlab.example.com:443/group/dependency_proxy/containers',
    CI_DEPENDENCY_PROXY_DIRECT_GROUP_IMAGE_PREFIX: 'gitlab.example.com:443/group/dependency_proxy/containers',
    CI_DEPENDENCY_PROXY_USER: 'gitlab-ci-token',
    CI_DEPENDENCY_PROXY_PASSWORD: 'glcbt-64_JobTokenExample0123456789abcdefgh',
    CI_COMMIT_SHA: '1f0a2b3c4d5e6f708192a3b4c5d6e7f801234567',
    CI_COMMIT_SHORT_SHA: '1f0a2b3c',
    CI_COMMIT_BEFORE_SHA: '0000000000000000000000000000000000000000',
    CI_COMMIT_REF_NAME: 'feature/build-x',
    CI_COMMIT_REF_SLUG: 'feature-build-x',
    CI_COMMIT_BRANCH: 'feature/build-x',
    CI_DEFAULT_BRANCH: 'main',
    CI_COMMIT_TITLE: 'Build the image',
    CI_PIPELINE_ID: '1001',
    CI_PIPELINE_IID: '17',
    CI_PIPELINE_SOURCE: 'push',
    CI_JOB_ID: '5005',
    CI_JOB_NAME: 'build',
    CI_JOB_STAGE: 'build',
    CI_RUNNER_ID: '7',
    GITLAB_USER_LOGIN: 'dev',
    ...extra,
  };
}

/** GitLab variable expansion in a variable value: `$VAR`, `${VAR}`, `$$` → `$`; unknown variables become empty. */
export function expandVariable(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, a?: string, b?: string) => (m === '$$' ? '$' : (env[(a ?? b)!] ?? '')),
  );
}

export interface VariableValue {
  value: string;
  expand: boolean;
}

/**
 * Merge as GitLab does: predefined, then global `variables:`, then job `variables:` (later wins). Each value is
 * expanded, in order, against what is defined so far (lower layers and earlier keys; a job value that names
 * its own key sees the global value), unless `expand: false`. Forward references inside one block are not
 * resolved (none of the fixtures needs them).
 */
export function mergeVariables(
  predefined: Record<string, string>,
  globalVars: Record<string, VariableValue>,
  jobVars: Record<string, VariableValue>,
): Record<string, string> {
  const env: Record<string, string> = { ...predefined };
  for (const vars of [globalVars, jobVars]) {
    for (const [k, v] of Object.entries(vars)) env[k] = v.expand ? expandVariable(v.value, env) : v.value;
  }
  return env;
}

/** `/kaniko` and, in the debug image, `/busybox` (its shell and applets). */
const KANIKO_PATH = /(^|[^A-Za-z0-9_./-])\/(kaniko|busybox)(?=\/|$|[^A-Za-z0-9_.-])/gm;
const TMP_PATH = /(^|[^A-Za-z0-9_./:-])\/tmp(?=\/|$|[^A-Za-z0-9_.-])/gm;

/** Textual mapping of `/kaniko` path prefixes to `<stubRoot>/kaniko` (documented in the header). */
export function mapKanikoPaths(text: string, stubRoot: string): string {
  return text.replace(KANIKO_PATH, (_m, pre: string, dir: string) => `${pre}${stubRoot}/${dir}`);
}

const BUILDKIT_HOME_PATH = /(^|[^A-Za-z0-9_./:-])\/home\/user(?=\/|$|[^A-Za-z0-9_.-])/gm;

/** Textual mapping of `/home/user` path prefixes (the BuildKit image's HOME) to `<home>` (see the header). */
export function mapBuildkitHomePaths(text: string, home: string): string {
  return text.replace(BUILDKIT_HOME_PATH, (_m, pre: string) => `${pre}${home}`);
}

/** Textual mapping of `/tmp` path prefixes to `<privateTmp>` (documented in the header). */
export function mapTmpPaths(text: string, privateTmp: string): string {
  return text.replace(TMP_PATH, (_m, pre: string) => `${pre}${privateTmp}`);
}

export function mentionsKanikoPath(text: string): boolean {
  KANIKO_PATH.lastIndex = 0;
  const r = KANIKO_PATH.test(text);
  KANIKO_PATH.lastIndex = 0;
  return r;
}

/**
 * The stub: records argv, cwd and the whole env. For buildctl it also snapshots the buildkitd.toml the daemon
 * would read (from `--config X` in BUILDKITD_FLAGS, else the rootless default
 * `${XDG_CONFIG_HOME:-$HOME/.config}/buildkit/buildkitd.toml`), because the script may write it to a shared
 * place such as /tmp.
 */
/** The manifest digest the stub buildctl reports in its metadata file (and a digest-file check expects). */
export const STUB_DIGEST = `sha256:${'d'.repeat(64)}`;

const STUB_JS = `'use strict';
const fs = require('fs');
const path = require('path');
const [log, tool, ...argv] = process.argv.slice(2);
const rec = { tool, argv, cwd: process.cwd(), env: process.env };
if (tool === 'buildctl') {
  const words = (process.env.BUILDKITD_FLAGS || '').split(/[ \\t\\n]+/).filter(Boolean);
  let cfg = null;
  for (let i = 0; i < words.length; i++) {
    if (words[i] === '--config') cfg = words[i + 1] || '';
    else if (words[i].startsWith('--config=')) cfg = words[i].slice('--config='.length);
  }
  const explicit = cfg !== null;
  if (!explicit) cfg = path.join(process.env.XDG_CONFIG_HOME || path.join(process.env.HOME || '/', '.config'), 'buildkit', 'buildkitd.toml');
  let content = null;
  try { content = fs.readFileSync(path.resolve(cfg), 'utf8'); } catch (e) { content = null; }
  rec.buildkitdConfig = { path: cfg, explicit, content };
  // Like buildctl: --metadata-file gets the exporter response, 2-space JSON (its directory must exist).
  const m = argv.indexOf('--metadata-file');
  if (m >= 0 && argv[m + 1]) {
    const meta = { 'containerimage.config.digest': 'sha256:' + 'c'.repeat(64), 'containerimage.digest': STUB_DIGEST, 'image.name': 'stub' };
    fs.writeFileSync(path.resolve(argv[m + 1]), JSON.stringify(meta, null, 2));
  }
}
fs.appendFileSync(log, JSON.stringify(rec) + '\\n');
`.replace('STUB_DIGEST', JSON.stringify(STUB_DIGEST));

function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function writeStub(file: string, stubJs: string, log: string, tool: StubTool): void {
  fs.writeFileSync(
    file,
    `#!/bin/sh\nexec ${shQuote(process.execPath)} ${shQuote(stubJs)} ${shQuote(log)} ${tool} "$@"\n`,
    { mode: 0o755 },
  );
}

const busyboxApplets = new Map<string, string[]>();
function appletsOf(busybox: string): string[] {
  let list = busyboxApplets.get(busybox);
  if (!list) {
    const r = spawnSync(busybox, ['--list'], { encoding: 'utf8' });
    list = r.status === 0 ? r.stdout.split('\n').filter((x) => /^[a-z0-9_.[-]+$/.test(x)) : [];
    busyboxApplets.set(busybox, list);
  }
  return list;
}

/** `chown -hR uid:uid dir` (symlinks themselves, not their targets). */
function chownTree(dir: string, uid: number): void {
  fs.lchownSync(dir, uid, uid);
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) chownTree(p, uid);
    else fs.lchownSync(p, uid, uid);
  }
}

export async function runJobScript(lines: string[], opts: RunOptions): Promise<RunResult> {
  const shell = opts.shell ?? 'sh';
  const image = opts.image ?? 'kaniko';
  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-run-')));
  const stubRoot = path.join(tmp, 'root');
  const bin = path.join(tmp, 'bin');
  const home = path.join(tmp, 'home');
  const cwd = path.join(tmp, 'project');
  const log = path.join(tmp, 'calls.jsonl');
  const stubJs = path.join(tmp, 'stub.cjs');
  fs.mkdirSync(path.join(stubRoot, 'kaniko', '.docker'), { recursive: true });
  // The Kaniko image's CA folder (its SSL_CERT_DIR), where jobs append custom CAs, and the debug image's /busybox/sh.
  fs.mkdirSync(path.join(stubRoot, 'kaniko', 'ssl', 'certs'), { recursive: true });
  fs.mkdirSync(path.join(stubRoot, 'busybox'), { recursive: true });
  fs.symlinkSync('/bin/sh', path.join(stubRoot, 'busybox', 'sh'));
  fs.mkdirSync(bin);
  fs.mkdirSync(home);
  if (opts.projectDir) fs.cpSync(opts.projectDir, cwd, { recursive: true });
  else fs.mkdirSync(cwd);
  fs.writeFileSync(stubJs, STUB_JS);
  fs.writeFileSync(log, '');
  writeStub(path.join(bin, 'buildctl-daemonless.sh'), stubJs, log, 'buildctl');
  writeStub(path.join(bin, 'executor'), stubJs, log, 'kaniko');
  writeStub(path.join(stubRoot, 'kaniko', 'executor'), stubJs, log, 'kaniko');
  // No network: `wget -qO FILE URL` writes a placeholder program, and `sha256sum -c` accepts what it is given.
  fs.writeFileSync(
    path.join(bin, 'wget'),
    '#!/bin/sh\nout=\nwhile [ $# -gt 0 ]; do case "$1" in -O|-qO) out=$2; shift 2 ;; *) shift ;; esac; done\n' +
      '[ -n "$out" ] && printf \'#!/bin/sh\\nexit 0\\n\' > "$out"\n',
    { mode: 0o755 },
  );
  fs.writeFileSync(path.join(bin, 'sha256sum'), '#!/bin/sh\ncat >/dev/null\nexit 0\n', { mode: 0o755 });

  const cleanup = (): void => fs.rmSync(tmp, { recursive: true, force: true });
  const pathDirs = [bin];
  let shellCmd: string[];
  if (shell === 'busybox') {
    const bb = findBusybox();
    if (!bb) throw new Error('busybox is not installed (check findBusybox() before asking for it)');
    const applets = path.join(tmp, 'busybox-bin');
    fs.mkdirSync(applets);
    for (const a of appletsOf(bb)) {
      if (a === 'sh' || a === 'ash') continue;
      fs.symlinkSync(bb, path.join(applets, a));
    }
    pathDirs.push(applets);
    shellCmd = [bb, 'sh'];
  } else {
    shellCmd = ['/bin/sh'];
  }
  pathDirs.push('/usr/local/bin', '/usr/bin', '/bin');

  const privateTmp = path.join(tmp, 'tmp');
  fs.mkdirSync(privateTmp);
  const mapValue = (v: string): string => {
    const withProject = mapTmpPaths(v, privateTmp).split(projectDirPlaceholder).join(cwd);
    return image === 'kaniko' ? mapKanikoPaths(withProject, stubRoot) : mapBuildkitHomePaths(withProject, home);
  };
  const imageEnv: Record<string, string> =
    image === 'kaniko'
      ? { DOCKER_CONFIG: '/kaniko/.docker/', SSL_CERT_DIR: '/kaniko/ssl/certs' }
      : {
          USER: 'user',
          XDG_RUNTIME_DIR: path.join(tmp, 'run'),
          BUILDKIT_HOST: `unix://${tmp}/run/buildkit/buildkitd.sock`,
        };
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...imageEnv, ...opts.env })) env[k] = mapValue(v);
  env.PATH = pathDirs.join(':');
  env.HOME = home;
  env.STUBROOT = stubRoot;

  let body = mapTmpPaths(lines.join('\n'), privateTmp);
  let refused: string | null = null;
  if (image === 'kaniko') body = mapKanikoPaths(body, stubRoot);
  else body = mapBuildkitHomePaths(body, home);
  if (image === 'buildkit' && mentionsKanikoPath(body))
    refused = 'the script for the BuildKit image still refers to /kaniko (it does not exist there)';
  const scriptText = `set -e\n${body}\n`;
  const scriptFile = path.join(tmp, 'job.sh');
  fs.writeFileSync(scriptFile, scriptText);

  const asUser = opts.uid !== undefined && opts.uid !== process.getuid?.() ? opts.uid : undefined;
  if (asUser !== undefined) {
    if (process.getuid?.() !== 0) throw new Error(`uid ${asUser} asked for, but the tests do not run as root`);
    chownTree(tmp, asUser);
  }

  let exitCode: number;
  let stdout = '';
  let stderr = '';
  if (refused) {
    exitCode = 126;
    stderr = refused;
  } else {
    const res = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(shellCmd[0]!, [...shellCmd.slice(1), scriptFile], {
        cwd,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        ...(asUser !== undefined ? { uid: asUser, gid: asUser } : {}),
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8')));
      const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 20000);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        resolve({ code: code ?? (signal ? 128 + 9 : 1), stdout: out, stderr: err });
      });
    });
    exitCode = res.code;
    stdout = res.stdout;
    stderr = res.stderr;
  }

  const calls: StubCall[] = fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as StubCall);

  const files: Record<string, string> = {};
  const read = (p: string): string | undefined => {
    try {
      return fs.readFileSync(p, 'utf8');
    } catch {
      return undefined;
    }
  };
  const kanikoFile = read(path.join(stubRoot, 'kaniko', '.docker', 'config.json'));
  if (kanikoFile !== undefined) files.kaniko = kanikoFile;
  const homeFile = read(path.join(home, '.docker', 'config.json'));
  if (homeFile !== undefined) files.home = homeFile;
  const dockerConfig = calls.length > 0 ? calls[calls.length - 1]!.env.DOCKER_CONFIG : env.DOCKER_CONFIG;
  if (dockerConfig) {
    const f = read(path.resolve(cwd, dockerConfig, 'config.json'));
    if (f !== undefined) files.dockerConfig = f;
  }

  if (!opts.keep) cleanup();
  return { calls, files, exitCode, stdout, stderr, cwd, home, stubRoot, scriptText, cleanup };
}
