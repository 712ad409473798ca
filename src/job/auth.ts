/**
 * Registry auth: Kaniko reads `/kaniko/.docker/config.json` (its image sets DOCKER_CONFIG there, and the folder exists);
 * buildctl reads `~/.docker/config.json` (HOME=/home/user, no `.docker` folder in the image). Writes move, a `mkdir -p`
 * is added when the job had none, and a job that relied on Kaniko's built-in GitLab credential helper gets the
 * credentials written explicitly. Sources: Kaniko's keychain order and GitLab helper in `pkg/creds/creds.go` (v1.9.0+)
 * and `DOCKER_CONFIG=/kaniko/.docker/` in `deploy/Dockerfile`; buildctl's `config.LoadDefaultConfigFile` (docker/cli)
 * and, from BuildKit v0.24, `DOCKER_AUTH_CONFIG` read first; GitLab's docs page "Build Docker images with BuildKit".
 */
import type { ParsedScript, Word } from '../shell/types.js';
import type { ValueEdit } from '../text/value-edit.js';

export const KANIKO_DOCKER_DIR = '/kaniko/.docker';
/** Docker config folders a Kaniko job may write that uid 1000 cannot (Kaniko read only /kaniko/.docker; /root is not writable). */
const MOVED_DOCKER_DIRS = [KANIKO_DOCKER_DIR, '/root/.docker'];
/** HOME of the rootless image's user (uid 1000): used where a variable value cannot expand `~` or `$HOME`. */
export const BUILDKIT_HOME = '/home/user';

export const MKDIR_DOCKER = 'mkdir -p ~/.docker';
/** buildctl ≥0.24 reads DOCKER_AUTH_CONFIG before ~/.docker/config.json; Kaniko (Google) never read it. */
export const UNSET_DOCKER_AUTH_CONFIG = 'unset DOCKER_AUTH_CONFIG';
export const GITLAB_REGISTRY_AUTH =
  'echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"username\\":\\"$CI_REGISTRY_USER\\",\\"password\\":\\"$CI_REGISTRY_PASSWORD\\"}}}" > ~/.docker/config.json';

/** Quoting state at `index` of a word's raw text. */
function quoteStateAt(raw: string, index: number): 'none' | 'single' | 'double' {
  let state: 'none' | 'single' | 'double' = 'none';
  for (let i = 0; i < index; i++) {
    const c = raw[i];
    if (state === 'single') {
      if (c === "'") state = 'none';
    } else if (c === '\\') i++;
    else if (c === "'" && state === 'none') state = 'single';
    else if (c === '"') state = state === 'double' ? 'none' : 'double';
  }
  return state;
}

/** The replacement for `/kaniko/.docker` at `index` of a word, valid in the quoting found there. */
function homeDockerDir(raw: string, index: number): string {
  const state = quoteStateAt(raw, index);
  if (state === 'single') return `'"$HOME"'/.docker`;
  if (state === 'none' && index === 0) return '~/.docker';
  return '$HOME/.docker';
}

export interface AuthScan {
  /** Value edits moving `/kaniko/.docker` to the home folder. */
  edits: ValueEdit[];
  /** A registry config is written (echo/printf/cat/heredoc redirect, cp, tee) somewhere in the script. */
  writes: boolean;
  /** A `mkdir` of the docker config folder exists. */
  mkdir: boolean;
  /** Anything about a docker config file at all (config.json, DOCKER_CONFIG, credHelpers). */
  mentionsAuth: boolean;
  /** The script reads or sets DOCKER_AUTH_CONFIG. */
  dockerAuthConfig: boolean;
  /** Credential helpers named in a written config (`credHelpers`, `credsStore`). */
  credentialHelpers: string[];
}

function wordsOf(parsed: ParsedScript): Word[] {
  const out: Word[] = [];
  for (const c of parsed.commands) {
    out.push(...c.assignments, ...c.words);
    for (const r of c.redirects) out.push(r.target);
  }
  return out;
}

export function movesDockerDir(raw: string): boolean {
  return MOVED_DOCKER_DIRS.some((d) => raw.includes(d));
}

export function scanAuth(script: string, parsed: ParsedScript): AuthScan {
  const edits: ValueEdit[] = [];
  for (const w of wordsOf(parsed)) {
    for (const dir of MOVED_DOCKER_DIRS) {
      let from = 0;
      for (;;) {
        const i = w.raw.indexOf(dir, from);
        if (i < 0) break;
        const after = w.raw[i + dir.length];
        from = i + dir.length;
        if (after !== undefined && /[A-Za-z0-9_-]/.test(after)) continue;
        edits.push({
          start: w.start + i,
          end: w.start + i + dir.length,
          parts: [homeDockerDir(w.raw, i)],
          join: 'soft',
          multiline: false,
        });
      }
    }
  }
  const writes = parsed.commands.some(
    (c) =>
      c.redirects.some((r) => /^\d*>>?$/.test(r.op) && /config\.json/.test(r.target.raw)) ||
      (['cp', 'tee', 'mv', 'install'].includes(c.words[0]?.value ?? '') &&
        c.words.some((w) => /\.docker\/config\.json|DOCKER_CONFIG/.test(w.raw))),
  );
  const mkdir = parsed.commands.some(
    (c) => c.words[0]?.value === 'mkdir' && c.words.some((w) => /\.docker|DOCKER_CONFIG/.test(w.raw)),
  );
  const mentionsAuth = /config\.json|DOCKER_CONFIG\b|\.docker\b/.test(script);
  const dockerAuthConfig = script.includes('DOCKER_AUTH_CONFIG');
  const credentialHelpers = [...script.matchAll(/credHelpers|credsStore/g)].length
    ? [...new Set([...script.matchAll(/(ecr-login|gcr|acr-env|gcloud|desktop|pass|secretservice)/g)].map((m) => m[1]!))]
    : [];
  return { edits, writes, mkdir, mentionsAuth, dockerAuthConfig, credentialHelpers };
}

/** What a whole job does about registry auth, read item by item in run order. Shared by the YAML and TypeScript paths. */
export interface JobAuth<I> {
  scans: { item: I; scan: AuthScan }[];
  /** Where `mkdir -p ~/.docker` must go: before the first write, when the job had no mkdir (Kaniko's image had the folder). */
  mkdirBefore?: { item: I; offset: number };
  mentionsAuth: boolean;
  dockerAuthConfig: boolean;
}

export function scanJobAuth<I extends { parsed: ParsedScript }>(
  items: readonly I[],
  text: (item: I) => string,
): JobAuth<I> {
  const out: JobAuth<I> = { scans: [], mentionsAuth: false, dockerAuthConfig: false };
  let writes = false;
  let mkdir = false;
  for (const item of items) {
    const scan = scanAuth(text(item), item.parsed);
    out.scans.push({ item, scan });
    if (scan.writes && !mkdir && !writes && scan.edits.length && !scan.mkdir) {
      const first = item.parsed.commands.find(
        (c) => c.redirects.some((r) => movesDockerDir(r.target.raw)) || c.words.some((w) => movesDockerDir(w.raw)),
      );
      if (first) out.mkdirBefore = { item, offset: first.start };
    }
    writes ||= scan.writes;
    mkdir ||= scan.mkdir;
    out.mentionsAuth ||= scan.mentionsAuth;
    out.dockerAuthConfig ||= scan.dockerAuthConfig;
  }
  return out;
}
