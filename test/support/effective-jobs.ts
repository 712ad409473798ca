/**
 * The effective jobs of a pipeline as GitLab sees them, read by an independent tool: `gitlab-ci-local@4.73.0 --preview`
 * (devDependency; pinned because later versions need Node 22). It expands `include: local` (nested), `extends`
 * (multi-level, arrays), YAML anchors/aliases/merge keys, `!reference`, `default:`, component headers (`spec:` +
 * `---`, `$[[ inputs.x ]]`) and validates the result against GitLab's JSON schema. No rsync is needed for
 * `--preview`; it needs `git` (the folder is copied to a temp dir, `git init` + commit, because it finds local
 * includes through git). About 1 s per call, so results are cached on disk by content hash.
 *
 * This module knows nothing of src/: it is the "before/after" reader for the same-build test.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { VariableValue } from './stub-run.js';

export interface EffectiveImage {
  name: string;
  entrypoint: string[] | null;
}

export interface EffectiveJob {
  name: string;
  image: EffectiveImage | null;
  variables: Record<string, VariableValue>;
  before_script: string[];
  script: string[];
  after_script: string[];
  /** the job as gitlab-ci-local printed it */
  raw: Record<string, unknown>;
}

export interface EffectivePipeline {
  variables: Record<string, VariableValue>;
  jobs: Record<string, EffectiveJob>;
  /** the whole --preview document */
  raw: Record<string, unknown>;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const GCL_DIR = path.join(REPO_ROOT, 'node_modules', 'gitlab-ci-local');
const GCL_ENTRY = path.join(GCL_DIR, 'dist', 'index.js');
const CACHE_DIR = path.join(os.tmpdir(), 'k2b-effective-jobs-cache');

const RESERVED_TOP_LEVEL = new Set([
  'stages',
  'variables',
  'default',
  'workflow',
  'include',
  'image',
  'services',
  'before_script',
  'after_script',
  'cache',
  'spec',
  'pages:deploy',
]);

export function gitlabCiLocalVersion(): string | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(GCL_DIR, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

function listFiles(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    if (e.name === '.git' || e.name === '.gitlab-ci-local') continue;
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, r));
    else if (e.isFile()) out.push(r);
  }
  return out.sort();
}

function toStr(v: unknown): string {
  if (v === null || v === undefined) return '';
  return typeof v === 'string' ? v : String(v);
}

function flattenScript(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return [toStr(v)];
  return v.flatMap((x) => flattenScript(x));
}

export function normaliseVariables(v: unknown): Record<string, VariableValue> {
  const out: Record<string, VariableValue> = {};
  if (!v || typeof v !== 'object') return out;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (val && typeof val === 'object' && !Array.isArray(val)) {
      const o = val as { value?: unknown; expand?: unknown };
      out[k] = { value: toStr(o.value), expand: o.expand !== false };
    } else out[k] = { value: toStr(val), expand: true };
  }
  return out;
}

function normaliseImage(v: unknown): EffectiveImage | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return { name: v, entrypoint: null };
  const o = v as { name?: unknown; entrypoint?: unknown };
  return { name: toStr(o.name), entrypoint: Array.isArray(o.entrypoint) ? o.entrypoint.map(toStr) : null };
}

export function pipelineFromPreview(doc: Record<string, unknown>): EffectivePipeline {
  const jobs: Record<string, EffectiveJob> = {};
  for (const [name, val] of Object.entries(doc)) {
    if (RESERVED_TOP_LEVEL.has(name) || name.startsWith('.') || !val || typeof val !== 'object' || Array.isArray(val))
      continue;
    const j = val as Record<string, unknown>;
    jobs[name] = {
      name,
      image: normaliseImage(j.image),
      variables: normaliseVariables(j.variables),
      before_script: flattenScript(j.before_script),
      script: flattenScript(j.script),
      after_script: flattenScript(j.after_script),
      raw: j,
    };
  }
  return { variables: normaliseVariables(doc.variables), jobs, raw: doc };
}

/** A command's exit code and output, killed after `timeoutMs`. */
export function runProcess(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(t);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

export interface ReadOptions {
  /** files (relative path → content) written over the copy of `root`, e.g. a migrated `.gitlab-ci.yml` */
  overlay?: Record<string, string>;
  /** entry file relative to root (default `.gitlab-ci.yml`) */
  entry?: string;
  /** skip the on-disk cache */
  noCache?: boolean;
  /** validate against GitLab's JSON schema (default true; about half of the ~1 s a call takes) */
  validate?: boolean;
}

/** Effective pipeline of the repo folder `root` (optionally with some files replaced). */
export async function readEffectivePipeline(root: string, opts: ReadOptions = {}): Promise<EffectivePipeline> {
  const version = gitlabCiLocalVersion();
  if (!version)
    throw new Error(`gitlab-ci-local is not installed in ${GCL_DIR} (npm install --save-dev gitlab-ci-local@4.73.0)`);
  const entry = opts.entry ?? '.gitlab-ci.yml';
  const files = new Map<string, Buffer>();
  for (const f of listFiles(root)) files.set(f, fs.readFileSync(path.join(root, f)));
  for (const [f, content] of Object.entries(opts.overlay ?? {})) files.set(f, Buffer.from(content, 'utf8'));

  const hash = crypto.createHash('sha256');
  const validate = opts.validate ?? true;
  hash.update(`gitlab-ci-local@${version}\0${entry}\0${validate}\0`);
  for (const [f, c] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (!/\.ya?ml$/i.test(f)) continue; // only YAML decides the pipeline
    hash.update(f).update('\0').update(c).update('\0');
  }
  const key = hash.digest('hex');
  const cacheFile = path.join(CACHE_DIR, `${key}.json`);
  if (!opts.noCache && fs.existsSync(cacheFile)) {
    return pipelineFromPreview(JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as Record<string, unknown>);
  }

  const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'k2b-gcl-')));
  try {
    const repo = path.join(tmp, 'repo');
    const home = path.join(tmp, 'home');
    fs.mkdirSync(home);
    for (const [f, c] of files) {
      fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true });
      fs.writeFileSync(path.join(repo, f), c);
    }
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'k2b',
      GIT_AUTHOR_EMAIL: 'k2b@example.com',
      GIT_COMMITTER_NAME: 'k2b',
      GIT_COMMITTER_EMAIL: 'k2b@example.com',
      NO_COLOR: '1',
    };
    for (const args of [
      ['init', '-q', '-b', 'main'],
      ['add', '-A'],
      ['commit', '-q', '--no-gpg-sign', '-m', 'fixture'],
      ['remote', 'add', 'origin', 'https://gitlab.example.com/group/proj.git'],
      ['config', 'user.name', 'k2b'],
      ['config', 'user.email', 'k2b@example.com'],
    ]) {
      const r = spawnSync('git', args, { cwd: repo, env, encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed: ${r.stderr}`);
    }
    const gclArgs = [GCL_ENTRY, '--preview', '--home', home];
    if (!validate) gclArgs.push('--no-json-schema-validation');
    if (entry !== '.gitlab-ci.yml') gclArgs.push('--file', entry);
    const r = await runProcess(process.execPath, gclArgs, repo, env, 60000);
    const start = r.stdout.indexOf('---');
    if (r.code !== 0 || start < 0) {
      throw new Error(`gitlab-ci-local --preview failed (exit ${r.code}) for ${root}:\n${r.stderr}\n${r.stdout}`);
    }
    const doc = YAML.parse(r.stdout.slice(start), { maxAliasCount: -1 }) as Record<string, unknown>;
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    fs.writeFileSync(`${cacheFile}.${process.pid}`, JSON.stringify(doc));
    fs.renameSync(`${cacheFile}.${process.pid}`, cacheFile);
    return pipelineFromPreview(doc);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** A Kaniko executor call at a command position (`/kaniko/executor` anywhere, or a bare `executor` command). */
const KANIKO_CALL =
  /(?:^|[\n;&|(`{]|\b(?:then|do|else|exec)\b)[ \t]*(?:[A-Za-z_][A-Za-z0-9_]*=\S*[ \t]+)*(?:exec[ \t]+)?(?:\/kaniko\/executor|executor)(?=[\s;&|)`]|$)|\/kaniko\/executor\b/;

export function scriptHasKanikoCall(lines: string[]): boolean {
  return lines.some((l) => KANIKO_CALL.test(l));
}

/** Jobs whose effective before_script/script call the Kaniko executor. */
export function isKanikoJob(job: EffectiveJob): boolean {
  return scriptHasKanikoCall([...job.before_script, ...job.script]);
}

/** The BuildKit image a migrated job must use: `moby/buildkit:*rootless` (any registry prefix for Docker Hub). */
export function isRootlessBuildkitImage(name: string): boolean {
  return /^(?:(?:docker\.io|index\.docker\.io)\/)?moby\/buildkit:(?:[A-Za-z0-9_.-]*-)?rootless(?:@sha256:[a-f0-9]{64})?$/.test(
    name,
  );
}
