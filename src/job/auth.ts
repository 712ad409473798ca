/**
 * Registry auth: Kaniko reads `/kaniko/.docker/config.json` (its image sets DOCKER_CONFIG there, and the folder exists);
 * buildctl reads `~/.docker/config.json` (HOME=/home/user, no `.docker` folder in the image). Writes move, a `mkdir -p`
 * is added when the job had none, and a job that relied on Kaniko's built-in GitLab credential helper gets the
 * credentials written explicitly. Sources: Kaniko's keychain order and GitLab helper in `pkg/creds/creds.go` (v1.9.0+)
 * and `DOCKER_CONFIG=/kaniko/.docker/` in `deploy/Dockerfile`; buildctl's `config.LoadDefaultConfigFile` (docker/cli)
 * and, from BuildKit v0.24, `DOCKER_AUTH_CONFIG` read first; GitLab's docs page "Build Docker images with BuildKit".
 */
import type { ParsedScript, SimpleCommand, Word } from '../shell/types.js';
import { readKanikoCall } from '../kaniko/call.js';
import { isRegistryHost } from '../kaniko/refs.js';
import { displayText } from '../shell/quote.js';
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

/** A command that writes a registry config (a redirect to config.json; cp/tee/mv/install into the config folder). */
function isConfigWrite(c: SimpleCommand): boolean {
  return (
    c.redirects.some((r) => /^\d*>>?$/.test(r.op) && /config\.json/.test(r.target.raw)) ||
    (['cp', 'tee', 'mv', 'install'].includes(c.words[0]?.value ?? '') &&
      c.words.some((w) => /\.docker\/config\.json|DOCKER_CONFIG/.test(w.raw)))
  );
}

function wordsOf(parsed: ParsedScript): Word[] {
  const out: Word[] = [];
  for (const c of parsed.commands) {
    // loops, not push(...c.words): a command of 70,000 flags has more words than a call may have arguments
    for (const w of c.assignments) out.push(w);
    for (const w of c.words) out.push(w);
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
  const writes = parsed.commands.some(isConfigWrite);
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
  // A moved folder (`export DOCKER_CONFIG=/kaniko/.docker` in one item) written through in a later item
  // (`cat > "$DOCKER_CONFIG/config.json"`): the folder must exist before that first write too.
  let moved = false;
  for (const item of items) {
    const scan = scanAuth(text(item), item.parsed);
    out.scans.push({ item, scan });
    moved ||= scan.edits.length > 0;
    if (scan.writes && !mkdir && !writes && moved && !scan.mkdir) {
      const first = item.parsed.commands.find(
        (c) =>
          isConfigWrite(c) ||
          c.redirects.some((r) => movesDockerDir(r.target.raw)) ||
          c.words.some((w) => movesDockerDir(w.raw)),
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

/**
 * Registries whose login Kaniko made by itself: its compiled-in keychains (Kaniko `pkg/creds/creds.go`: google, ECR,
 * ACR) and the helpers its image ships (`deploy/Dockerfile`: docker-credential-{gcr,ecr-login,acr-env}).
 */
export type CloudRegistry = 'ecr' | 'gcr' | 'acr';

/** The cloud a registry host belongs to (ECR, GCR/Artifact Registry, ACR), if any. mirror.gcr.io is public. */
export function cloudRegistry(host: string): CloudRegistry | undefined {
  const h = host.toLowerCase().replace(/:\d+$/, '');
  if (/^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/.test(h)) return 'ecr';
  if (h !== 'mirror.gcr.io' && (/(^|\.)gcr\.io$/.test(h) || /^[a-z0-9-]+-docker\.pkg\.dev$/.test(h))) return 'gcr';
  if (/^[a-z0-9-]+\.azurecr\.(io|cn|us)$/.test(h)) return 'acr';
  return undefined;
}

/** The helper name (`docker-credential-<name>`) a `credHelpers` entry uses for each cloud. */
export const CLOUD_HELPER: Record<CloudRegistry, string> = { ecr: 'ecr-login', gcr: 'gcr', acr: 'acr-env' };

/**
 * The ECR helper's official release binary, pinned. URL scheme from the project's README
 * (https://github.com/awslabs/amazon-ecr-credential-helper, "Release binaries"); the v0.10.1 linux-amd64 sha256 as
 * pinned by cashapp/hermit-packages `amazon-ecr-credential-helper.hcl`, and the same value in an independent
 * installer script; compare it with `…/docker-credential-ecr-login.sha256` beside the binary when bumping.
 */
export const ECR_HELPER = {
  version: '0.10.1',
  url: 'https://amazon-ecr-credential-helper-releases.s3.us-east-2.amazonaws.com/0.10.1/linux-amd64/docker-credential-ecr-login',
  sha256: 'ae5f2c0f1a2283f687e24a529f41d58f29c0a5bcfa0b60d1d3f8dc33b7eac4f2',
};

/**
 * Lines that put docker-credential-ecr-login on PATH in `moby/buildkit:rootless` (busybox wget and sha256sum; uid 1000
 * writes only under HOME). Skipped when the image already has the helper (a custom image FROM the rootless one).
 */
export const ECR_HELPER_SETUP = [
  `command -v docker-credential-ecr-login >/dev/null || { mkdir -p ~/bin && wget -qO ~/bin/docker-credential-ecr-login ${ECR_HELPER.url} && echo "${ECR_HELPER.sha256}  $HOME/bin/docker-credential-ecr-login" | sha256sum -c - && chmod +x ~/bin/docker-credential-ecr-login; }`,
  'export PATH="$HOME/bin:$PATH"',
];

/** The `~/.docker/config.json` Kaniko's helpers amounted to: $CI_REGISTRY credentials and `credHelpers` for the hosts. */
export function helperConfigLine(hosts: readonly string[]): string {
  const helpers = hosts.map((h) => `\\"${h}\\":\\"ecr-login\\"`).join(',');
  return `echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"username\\":\\"$CI_REGISTRY_USER\\",\\"password\\":\\"$CI_REGISTRY_PASSWORD\\"}},\\"credHelpers\\":{${helpers}}}" > ~/.docker/config.json`;
}

/** Unset only when a config file is there to read instead (for a job whose config may come from a part not read). */
export const UNSET_DOCKER_AUTH_CONFIG_IF_FILE =
  'if [ -f "${DOCKER_CONFIG:-$HOME/.docker}/config.json" ]; then unset DOCKER_AUTH_CONFIG; fi';

/**
 * The line that makes a job's registry config win over DOCKER_AUTH_CONFIG from the CI/CD settings (KB411), for every
 * place a migrated build is written (the job recipe, the gcix KB503 replacement): unset outright when the job writes
 * its config, or only if the file exists when the config may come from a part this tool cannot read.
 */
export function unsetDockerAuthConfig(configWritten: boolean): string {
  return configWritten ? UNSET_DOCKER_AUTH_CONFIG : UNSET_DOCKER_AUTH_CONFIG_IF_FILE;
}

/** Where a call pushes or caches: the raw text of each `--destination` / `--cache-repo` value. */
export function registryRefs(command: SimpleCommand, head: number): string[] {
  return readKanikoCall(command, head)
    .uses.filter((u) => (u.flag.name === 'destination' || u.flag.name === 'cache-repo') && u.value)
    .map((u) => displayText(u.value!));
}

export type RefHost = { host: string } | { unknown: string };

/**
 * The registry host of a ref written in the file, following `$VAR`/`${VAR}` through values the file gives (a job
 * variable); `unknown` names the variable whose value only the run knows. GitLab's own `$CI_REGISTRY…` variables
 * are the GitLab registry (Kaniko's GitLab helper, KB402): no host to check.
 */
export function refHost(ref: string, variable: (name: string) => string | undefined): RefHost | undefined {
  let text = ref.replace(/^["']|["']$/g, '');
  for (let i = 0; i < 5; i++) {
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(text);
    if (!m) break;
    if (/^CI_(REGISTRY|REGISTRY_IMAGE|DEPENDENCY_PROXY\w*)$/.test(m[1]!)) return undefined;
    const v = variable(m[1]!);
    if (v === undefined) return { unknown: m[0] };
    text = v + text.slice(m[0].length);
  }
  const first = text.split('/')[0]!;
  if (/\$/.test(first)) return { unknown: first };
  if (!text.includes('/') || !isRegistryHost(first)) return { host: 'docker.io' };
  return { host: first.toLowerCase() };
}
