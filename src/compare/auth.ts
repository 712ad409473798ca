/**
 * Registry credentials for `compare`, found the way `docker pull` and a GitLab job find them, first that has the host:
 * `DOCKER_AUTH_CONFIG` (the JSON itself, as GitLab sets it), `$DOCKER_CONFIG/config.json`, `~/.docker/config.json`
 * (`auths` entries keyed by host, with or without a scheme or path; `auth` is base64 `user:password`, or
 * `username`/`password`, or `identitytoken`), then GitLab's CI variables for `CI_REGISTRY`: `CI_REGISTRY_USER` and
 * `CI_REGISTRY_PASSWORD`, else `gitlab-ci-token` and `CI_JOB_TOKEN`. Credential helpers (`credHelpers`, `credsStore`)
 * are not run: a host they serve gets no credentials here (a warning says so).
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from (`DOCKER_AUTH_CONFIG`, a config file path, `CI_REGISTRY_USER`, `CI_JOB_TOKEN`), for messages. */
  source: string;
  /** An OAuth2 refresh token (`identitytoken`): sent to the token endpoint instead of basic auth. */
  identityToken?: string;
}

/** Docker Hub's historical key in config files, and the other names it goes by. */
const HUB_KEYS = ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];

/** The host part of an `auths` key: `https://reg.example.com/v2/` → `reg.example.com`. */
export function authKeyHost(key: string): string {
  return key
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .split('/')[0]!
    .toLowerCase();
}

function sameHost(key: string, host: string): boolean {
  const k = authKeyHost(key);
  const h = host.toLowerCase();
  if (h === 'docker.io') return HUB_KEYS.some((x) => authKeyHost(x) === k);
  return k === h;
}

interface ConfigLookup {
  credentials?: Credentials;
  /** A credential helper is configured for the host (not run). */
  helper?: string;
}

/** Credentials for `host` in one Docker config document (JSON text), or what stood in their place. */
export function fromDockerConfig(text: string, host: string, source: string): ConfigLookup {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return {};
  }
  if (!doc || typeof doc !== 'object') return {};
  const d = doc as { auths?: unknown; credHelpers?: unknown; credsStore?: unknown };
  if (d.auths && typeof d.auths === 'object') {
    for (const [key, value] of Object.entries(d.auths as Record<string, unknown>)) {
      if (!sameHost(key, host) || !value || typeof value !== 'object') continue;
      const e = value as Record<string, unknown>;
      if (typeof e.identitytoken === 'string' && e.identitytoken !== '')
        return { credentials: { username: '', password: '', identityToken: e.identitytoken, source } };
      if (typeof e.auth === 'string' && e.auth !== '') {
        const plain = Buffer.from(e.auth, 'base64').toString('utf8');
        const colon = plain.indexOf(':');
        if (colon > 0)
          return { credentials: { username: plain.slice(0, colon), password: plain.slice(colon + 1), source } };
      }
      if (typeof e.username === 'string' && typeof e.password === 'string')
        return { credentials: { username: e.username, password: e.password, source } };
    }
  }
  if (d.credHelpers && typeof d.credHelpers === 'object')
    for (const [key, name] of Object.entries(d.credHelpers as Record<string, unknown>))
      if (sameHost(key, host)) return { helper: String(name) };
  if (typeof d.credsStore === 'string' && d.credsStore !== '') return { helper: d.credsStore };
  return {};
}

export interface AuthLookup {
  credentials?: Credentials;
  /** Said on stderr: a credential helper not run, a config file that is not JSON. */
  warnings: string[];
}

/** Credentials for `host` (as config files name it, `docker.io` for Docker Hub) from `env` and the config files. */
export function findCredentials(host: string, env: NodeJS.ProcessEnv, home = homedir()): AuthLookup {
  const warnings: string[] = [];
  const documents: [source: string, text: string | undefined][] = [];
  if (env.DOCKER_AUTH_CONFIG) documents.push(['DOCKER_AUTH_CONFIG', env.DOCKER_AUTH_CONFIG]);
  const files = [
    ...(env.DOCKER_CONFIG ? [join(env.DOCKER_CONFIG, 'config.json')] : []),
    join(home, '.docker', 'config.json'),
  ];
  for (const file of files) {
    let text: string | undefined;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      text = undefined;
    }
    documents.push([file, text]);
  }
  for (const [source, text] of documents) {
    if (text === undefined) continue;
    const found = fromDockerConfig(text, host, source);
    if (found.credentials) return { credentials: found.credentials, warnings };
    if (found.helper) {
      warnings.push(
        `${source} names the credential helper docker-credential-${found.helper} for ${host}; compare does not run helpers`,
      );
      break;
    }
  }
  if (env.CI_REGISTRY && sameHost(env.CI_REGISTRY, host)) {
    if (env.CI_REGISTRY_USER && env.CI_REGISTRY_PASSWORD)
      return {
        credentials: { username: env.CI_REGISTRY_USER, password: env.CI_REGISTRY_PASSWORD, source: 'CI_REGISTRY_USER' },
        warnings,
      };
    if (env.CI_JOB_TOKEN)
      return {
        credentials: { username: 'gitlab-ci-token', password: env.CI_JOB_TOKEN, source: 'CI_JOB_TOKEN' },
        warnings,
      };
  }
  return { warnings };
}
