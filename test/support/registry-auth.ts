/**
 * Which registry credentials a build tool would use, as a comparable map host → "user:password".
 *
 * - Kaniko (§2.9): `$DOCKER_CONFIG/config.json` (the image sets DOCKER_CONFIG=/kaniko/.docker/), and for the
 *   `CI_REGISTRY` host, when the file has no entry for it, the built-in GitLab helper (CI_REGISTRY_USER/PASSWORD).
 *   For an ECR host (`<account>.dkr.ecr.<region>.amazonaws.com`) with no entry, the compiled-in ECR keychain, the
 *   same login a `credHelpers` entry naming `ecr-login` gives (Kaniko `pkg/creds/creds.go`).
 * - buildctl (§3.11): env `DOCKER_AUTH_CONFIG` when it is `{"auths":{h:{"auth":b64}}}` (≥0.24), else
 *   `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`.
 *
 * Entries are compared by meaning, not bytes: `{"auth": base64("u:p")}` equals `{"username":"u","password":"p"}`,
 * and keys `https://host/` equal `host`.
 */
import path from 'node:path';

export interface Credentials {
  /** host → "user:password" (or "token:<identitytoken>") */
  auths: Record<string, string>;
  /** everything in the file other than `auths` (credHelpers, credsStore, …), canonical JSON; '' when none */
  other: string;
  problems: string[];
}

export function registryHost(keyOrRef: string): string {
  let k = keyOrRef.replace(/^[a-z]+:\/\//i, '');
  k = k.split('/')[0]!;
  if (k === 'index.docker.io' || k === 'registry-1.docker.io') return 'docker.io';
  return k;
}

/** Host an image ref is pushed to / pulled from (Docker Hub when the first component is not a host). */
export function refHost(ref: string): string {
  const first = ref.split('/')[0]!;
  if (!ref.includes('/') || (!first.includes('.') && !first.includes(':') && first !== 'localhost')) return 'docker.io';
  return registryHost(first);
}

/** Stable JSON: object keys sorted, so equal data gives equal text. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

export function readCredentials(json: string | undefined): Credentials {
  const out: Credentials = { auths: {}, other: '', problems: [] };
  if (json === undefined) return out;
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    out.problems.push(`registry auth file is not JSON (${(e as Error).message}): ${JSON.stringify(json)}`);
    return out;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    out.problems.push(`registry auth file is not a JSON object: ${JSON.stringify(json)}`);
    return out;
  }
  const { auths, ...rest } = doc as { auths?: unknown };
  if (Object.keys(rest).length > 0) out.other = canonical(rest);
  if (auths && typeof auths === 'object') {
    for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
      const e = (entry ?? {}) as { auth?: unknown; username?: unknown; password?: unknown; identitytoken?: unknown };
      let cred: string;
      if (typeof e.auth === 'string' && e.auth !== '') cred = Buffer.from(e.auth, 'base64').toString('utf8');
      else if (typeof e.username === 'string' || typeof e.password === 'string')
        cred = `${toS(e.username)}:${toS(e.password)}`;
      else if (typeof e.identitytoken === 'string') cred = `token:${e.identitytoken}`;
      else {
        out.problems.push(`auth entry for ${key} has no credentials: ${JSON.stringify(entry)}`);
        continue;
      }
      out.auths[registryHost(key)] = cred;
    }
  }
  return out;
}

function toS(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** DOCKER_AUTH_CONFIG as buildctl ≥0.24 reads it; null when absent or not of the accepted shape. */
export function dockerAuthConfigEnv(value: string | undefined): Credentials | null {
  if (!value) return null;
  try {
    const doc = JSON.parse(value) as { auths?: Record<string, { auth?: unknown }> };
    const keys = Object.keys(doc);
    if (keys.length !== 1 || keys[0] !== 'auths' || !doc.auths) return null;
    if (!Object.values(doc.auths).every((e) => e && typeof e.auth === 'string' && Object.keys(e).length === 1))
      return null;
  } catch {
    return null;
  }
  return readCredentials(value);
}

export interface AuthCheckInput {
  /** Kaniko: content of $DOCKER_CONFIG/config.json after the original script (undefined: no file) */
  kanikoFile: string | undefined;
  /** BuildKit: the file buildctl reads after the migrated script (undefined: no file) */
  buildkitFile: string | undefined;
  /** DOCKER_AUTH_CONFIG in the buildctl process env */
  buildkitDockerAuthConfig?: string;
  /** CI_REGISTRY / CI_REGISTRY_USER / CI_REGISTRY_PASSWORD of the Kaniko process */
  ciRegistry?: string;
  ciRegistryUser?: string;
  ciRegistryPassword?: string;
  /** image and cache refs the Kaniko build pushes to or reads from */
  usedRefs: string[];
}

/** Differences between the credentials Kaniko would use and the ones buildctl would use; empty when equivalent. */
export function compareAuth(i: AuthCheckInput): string[] {
  const problems: string[] = [];
  const before = readCredentials(i.kanikoFile);
  const fromEnv = dockerAuthConfigEnv(i.buildkitDockerAuthConfig);
  const after = fromEnv ?? readCredentials(i.buildkitFile);
  problems.push(...before.problems.map((p) => `before: ${p}`), ...after.problems.map((p) => `after: ${p}`));

  const helperHost = i.ciRegistry ? registryHost(i.ciRegistry) : '';
  const helperCred = i.ciRegistryUser ? `${i.ciRegistryUser}:${i.ciRegistryPassword ?? ''}` : '';
  const usedHosts = new Set(i.usedRefs.map(refHost));

  for (const [host, cred] of Object.entries(before.auths)) {
    if (after.auths[host] === undefined)
      problems.push(`auth: the Kaniko job has credentials for ${host}; the migrated job has none`);
    else if (after.auths[host] !== cred)
      problems.push(
        `auth: credentials for ${host} differ (before ${JSON.stringify(cred)}, after ${JSON.stringify(after.auths[host])})`,
      );
  }
  const helperApplies = helperHost !== '' && helperCred !== '' && before.auths[helperHost] === undefined;
  if (helperApplies) {
    const a = after.auths[helperHost];
    if (a === undefined) {
      if (usedHosts.has(helperHost))
        problems.push(
          `auth: Kaniko's built-in GitLab helper supplies ${helperHost} credentials; the migrated job must write ` +
            `{"auths":{"${helperHost}":{"username":"…","password":"…"}}} itself (buildctl has no such helper)`,
        );
    } else if (a !== helperCred)
      problems.push(`auth: credentials for ${helperHost} are not CI_REGISTRY_USER:CI_REGISTRY_PASSWORD`);
  }
  for (const host of Object.keys(after.auths)) {
    if (before.auths[host] === undefined && !(helperApplies && host === helperHost))
      problems.push(`auth: the migrated job has credentials for ${host} that the Kaniko job did not have`);
  }
  // Kaniko's compiled-in ECR keychain answered for ECR hosts the file does not name: a credHelpers entry, for buildctl.
  const beforeOther = withKeychainHelpers(before, usedHosts);
  if (beforeOther !== after.other)
    problems.push(`auth: non-auths config differs (before ${beforeOther || '{}'}, after ${after.other || '{}'})`);
  return problems;
}

const ECR_HOST = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/;

/** The non-auths config Kaniko in effect used: its file's, plus `credHelpers: {host: ecr-login}` for ECR hosts it used. */
function withKeychainHelpers(before: Credentials, usedHosts: Set<string>): string {
  const other = (before.other ? JSON.parse(before.other) : {}) as { credHelpers?: Record<string, string> };
  const named = other.credHelpers ?? {};
  const keychain = [...usedHosts].filter((h) => ECR_HOST.test(h) && before.auths[h] === undefined && !named[h]);
  if (!keychain.length) return before.other;
  return canonical({
    ...other,
    credHelpers: { ...named, ...Object.fromEntries(keychain.map((h) => [h, 'ecr-login'])) },
  });
}

export interface BuildkitAuthSource {
  /** where buildctl takes its registry credentials from */
  from: 'DOCKER_AUTH_CONFIG' | 'DOCKER_CONFIG' | 'home';
  /** the file it reads (absolute; absent for DOCKER_AUTH_CONFIG) */
  file?: string;
  /** the raw JSON text it reads; undefined when the file does not exist */
  json: string | undefined;
}

/**
 * The raw auth config buildctl reads for a call with this env and cwd (the precedence of the header):
 * `DOCKER_AUTH_CONFIG` when it has the accepted shape, else `$DOCKER_CONFIG/config.json` (relative to cwd; no
 * fallback to home when DOCKER_CONFIG is set, as docker/cli's config loader), else `$HOME/.docker/config.json`.
 */
export function buildkitAuthSource(
  env: Record<string, string | undefined>,
  cwd: string,
  readFile: (file: string) => string | undefined,
): BuildkitAuthSource {
  if (dockerAuthConfigEnv(env.DOCKER_AUTH_CONFIG) !== null)
    return { from: 'DOCKER_AUTH_CONFIG', json: env.DOCKER_AUTH_CONFIG };
  if (env.DOCKER_CONFIG) {
    const file = path.resolve(cwd, env.DOCKER_CONFIG, 'config.json');
    return { from: 'DOCKER_CONFIG', file, json: readFile(file) };
  }
  const file = path.resolve(env.HOME ?? '/', '.docker', 'config.json');
  return { from: 'home', file, json: readFile(file) };
}
