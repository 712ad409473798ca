/**
 * An independent reading of Kaniko executor argv and buildctl argv into one comparable `BuildDescription`.
 *
 * Written from ../shared/reference/kaniko-to-buildkit.md (§1, §2.1–2.8, §3.1–3.3), NOT from src/: it is the
 * second reading the migrated output is checked against. Anything either reader does not model goes to
 * `unknown`, so an unmodelled flag can never make two builds look equal by accident.
 *
 * Path values are shown relative to the project dir (`$CI_PROJECT_DIR/…`) so that a run in one temp copy
 * compares equal to a run in another.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';

export interface TarOutput {
  /** absolute (or `$CI_PROJECT_DIR/…`) path of the docker-archive tar */
  path: string;
  /** RepoTags of the tar (Kaniko: the destinations), normalised, sorted */
  names: string[];
}

export interface BuildDescription {
  /** local context dir (normalised, absolute or `$CI_PROJECT_DIR/…`), or `remote:<url>` */
  context: string;
  /** absolute path of the Dockerfile (or `url:<url>`) */
  dockerfile: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  /** lower-cased (both tools match stage names case-insensitively) */
  target: string | null;
  platform: string | null;
  /** normalised image refs (`:latest` added, Docker Hub expanded), sorted; empty when nothing is pushed */
  images: string[];
  push: boolean;
  tar: TarOutput | null;
  /** cache repositories read (tag dropped), sorted */
  cacheImport: string[];
  /** cache repositories written (tag dropped), sorted */
  cacheExport: string[];
  /** pull mirrors per registry host (`docker.io` for Docker Hub), in the order they are tried; `http://` kept for plain-HTTP mirrors */
  registryMirrors: Record<string, string[]>;
  /** argv entries (or env settings) the reader did not understand or does not model; compared */
  unknown: string[];
  /** flags that were understood and deliberately not compared (log level, Kaniko internals, …); NOT compared */
  ignored: string[];
  /** Kaniko only: the first destination's repository when the cache repo was inferred from it; NOT compared */
  cacheInferredFrom: string | null;
}

export interface DescribeContext {
  /** cwd of the tool process */
  cwd: string;
  /** environment of the tool process (for `--build-arg K`, KANIKO_NO_PUSH, SOURCE_DATE_EPOCH) */
  env: Record<string, string | undefined>;
  /** shown as `$CI_PROJECT_DIR` in paths */
  projectDir?: string;
  /** file existence (default: fs); used for Kaniko's cwd-then-context Dockerfile lookup */
  exists?: (absPath: string) => boolean;
  /**
   * Kaniko only: treat Unicode space characters (U+00A0, U+2000–U+200A, U+3000, …) inside argv entries as
   * separators. `sh` does not, so `--build-arg　"X=1"` reaches Kaniko as ONE unknown flag. Used only to
   * describe what the author evidently meant, when the strict reading has such entries.
   */
  unicodeSpacesAsSeparators?: boolean;
  /** buildctl only: the buildkitd.toml the daemon reads (`explicit`: named by `--config` in BUILDKITD_FLAGS) */
  buildkitdConfig?: { explicit: boolean; content: string | null };
}

// ---------------------------------------------------------------------------------------------- refs

/** `foo` → `docker.io/library/foo`, `index.docker.io/x/y` → `docker.io/x/y`. */
export function normaliseRepository(repo: string): string {
  let r = repo;
  const slash = r.indexOf('/');
  if (slash < 0) return `docker.io/library/${r}`;
  const first = r.slice(0, slash);
  if (first === 'index.docker.io' || first === 'registry-1.docker.io') r = `docker.io${r.slice(slash)}`;
  else if (!first.includes('.') && !first.includes(':') && first !== 'localhost') r = `docker.io/${r}`;
  if (/^docker\.io\/[^/]+$/.test(r)) r = r.replace(/^docker\.io\//, 'docker.io/library/');
  return r;
}

/** Split `repo[:tag][@digest]`; the tag colon is the last `:` after the last `/`. */
export function splitRef(ref: string): { repository: string; tag: string | null; digest: string | null } {
  let rest = ref;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return { repository: rest, tag, digest };
}

/** Full image ref as both tools push it: Docker Hub expanded, `:latest` when neither tag nor digest. */
export function normaliseImageRef(ref: string): string {
  const { repository, tag, digest } = splitRef(ref);
  let out = normaliseRepository(repository);
  if (tag !== null) out += `:${tag}`;
  if (digest !== null) out += `@${digest}`;
  if (tag === null && digest === null) out += ':latest';
  return out;
}

export function repositoryOf(ref: string): string {
  if (ref.startsWith('oci:')) return ref;
  return normaliseRepository(splitRef(ref).repository);
}

// ---------------------------------------------------------------------------------------------- paths

function showPath(abs: string, projectDir: string | undefined): string {
  let p = path.normalize(abs);
  if (p.length > 1 && p.endsWith('/')) p = p.slice(0, -1);
  if (projectDir) {
    const root = path.normalize(projectDir).replace(/\/$/, '');
    if (p === root) return '$CI_PROJECT_DIR';
    if (p.startsWith(`${root}/`)) return `$CI_PROJECT_DIR/${p.slice(root.length + 1)}`;
  }
  return p;
}

/** Registry host of a registry key / mirror (`index.docker.io` and `registry-1.docker.io` are `docker.io`). */
function registryHost(h: string): string {
  const host = h.replace(/^[a-z]+:\/\//i, '').split('/')[0]!;
  return host === 'index.docker.io' || host === 'registry-1.docker.io' ? 'docker.io' : host;
}

/** A mirror as `host[/path]`; `https://` dropped, `http://` kept (it needs `http = true` in BuildKit). */
function normaliseMirror(m: string): string {
  const http = /^http:\/\//i.test(m);
  const bare = m.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  return http ? `http://${bare}` : bare;
}

const defaultExists = (p: string): boolean => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/** strconv.ParseBool */
function parseGoBool(v: string): boolean | null {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return null;
}

function sortedUnique(xs: Iterable<string>): string[] {
  return [...new Set(xs)].sort();
}

// ---------------------------------------------------------------------------------------------- Kaniko

type KanikoKind = 'string' | 'bool' | 'list';
/** model: read into the description; ignore: understood, not compared; unmodelled: known flag → `unknown`. */
type KanikoRole = 'model' | 'ignore' | 'unmodelled';
interface KanikoFlagSpec {
  kind: KanikoKind;
  role: KanikoRole;
  canonical: string;
}

const KANIKO_FLAGS = new Map<string, KanikoFlagSpec>();
const KANIKO_SHORT = new Map<string, string>([
  ['c', 'context'],
  ['f', 'dockerfile'],
  ['d', 'destination'],
  ['v', 'verbosity'],
  ['b', 'bucket'],
]);

function kflag(kind: KanikoKind, role: KanikoRole, names: string[]): void {
  for (const n of names) KANIKO_FLAGS.set(n, { kind, role, canonical: names[0]! });
}
// modelled (§1 MAP rows the harness compares)
kflag('string', 'model', ['context']);
kflag('string', 'model', ['dockerfile']);
kflag('string', 'model', ['context-sub-path']);
kflag('list', 'model', ['destination']);
kflag('list', 'model', ['build-arg']);
kflag('string', 'model', ['target']);
kflag('list', 'model', ['label']);
kflag('string', 'model', ['custom-platform', 'customPlatform']);
kflag('bool', 'model', ['no-push']);
kflag('string', 'model', ['tar-path', 'tarPath']);
kflag('bool', 'model', ['cache']);
kflag('string', 'model', ['cache-repo']);
kflag('bool', 'model', ['no-push-cache']);
kflag('list', 'model', ['registry-mirror']);
kflag('list', 'model', ['registry-map']);
// understood, no effect on what is built/pushed as far as this comparison goes (§1 DROP / NOTE rows)
for (const n of [
  'cache-dir',
  'cache-ttl',
  'push-retry',
  'image-download-retry',
  'image-fs-extract-retry',
  'kaniko-dir',
  'verbosity',
  'log-format',
])
  kflag('string', 'ignore', [n]);
kflag('string', 'ignore', ['snapshot-mode', 'snapshotMode']);
kflag('list', 'ignore', ['ignore-path']);
for (const n of [
  'cache-copy-layers',
  'cache-run-layers',
  'compressed-caching',
  'skip-push-permission-check',
  'single-snapshot',
  'use-new-run',
  'force',
  'cleanup',
  'pre-cleanup',
  'materialize',
  'skip-unused-stages',
  'force-build-metadata',
  'log-timestamp',
  'skip-tls-verify-pull',
])
  kflag('bool', 'ignore', [n]);
kflag('bool', 'ignore', ['ignore-var-run', 'whitelist-var-run']);
// known Kaniko flags this harness does not model: they land in `unknown`
for (const n of [
  'bucket',
  'oci-layout-path',
  'digest-file',
  'image-name-with-digest-file',
  'image-name-tag-with-digest-file',
  'compression',
  'compression-level',
  'image-format',
])
  kflag('string', 'unmodelled', [n]);
for (const n of [
  'insecure-registry',
  'skip-tls-verify-registry',
  'registry-certificate',
  'registry-client-cert',
  'credential-helpers',
  'secret',
  'git',
  'annotation',
])
  kflag('list', 'unmodelled', [n]);
for (const n of [
  'reproducible',
  'insecure',
  'skip-tls-verify',
  'insecure-pull',
  'skip-default-registry-fallback',
  'push-ignore-immutable-tag-errors',
  'dryrun',
  'preserve-context',
])
  kflag('bool', 'unmodelled', [n]);

/** The `unknown` entry for a call Kaniko refuses: `--cache` with `--no-push` and no `--cache-repo`. */
export const CACHE_WITHOUT_REPO = '--cache and --no-push without --cache-repo (Kaniko fails)';

const UNICODE_SPACES = /[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+/u;

interface ParsedKaniko {
  values: Map<string, string[]>;
  bools: Map<string, boolean>;
  unknown: string[];
  ignored: string[];
}

/** cobra/pflag reading of the executor argv (§2.1). */
function parseKanikoArgv(argv: string[]): ParsedKaniko {
  const values = new Map<string, string[]>();
  const bools = new Map<string, boolean>();
  const unknown: string[] = [];
  const ignored: string[] = [];
  const record = (spec: KanikoFlagSpec, raw: string, value: string): void => {
    if (spec.role === 'ignore') {
      ignored.push(raw);
      return;
    }
    if (spec.role === 'unmodelled') {
      unknown.push(`unmodelled Kaniko flag: ${raw}`);
      return;
    }
    if (spec.kind === 'bool') {
      const b = parseGoBool(value);
      if (b === null) unknown.push(`bad bool value: ${raw}`);
      else bools.set(spec.canonical, b);
      return;
    }
    const list = values.get(spec.canonical) ?? [];
    if (spec.kind === 'list') list.push(value);
    else list.splice(0, list.length, value);
    values.set(spec.canonical, list);
  };

  let i = 0;
  let onlyPositional = false;
  while (i < argv.length) {
    const a = argv[i]!;
    i++;
    if (onlyPositional || !a.startsWith('-') || a === '-') {
      // cobra legacyArgs: the root command has subcommands, so any positional arg is an error (§2.1)
      unknown.push(`positional argument: ${a}`);
      continue;
    }
    if (a === '--') {
      onlyPositional = true;
      continue;
    }
    if (a.startsWith('--')) {
      const body = a.slice(2);
      const eq = body.indexOf('=');
      const name = eq >= 0 ? body.slice(0, eq) : body;
      const spec = KANIKO_FLAGS.get(name);
      if (!spec || name.startsWith('-')) {
        unknown.push(a);
        continue;
      }
      if (eq >= 0) {
        record(spec, a, body.slice(eq + 1));
      } else if (spec.kind === 'bool') {
        record(spec, a, 'true');
      } else if (i < argv.length) {
        const v = argv[i]!;
        i++;
        record(spec, `${a} ${v}`, v);
      } else {
        unknown.push(`flag needs an argument: ${a}`);
      }
      continue;
    }
    // shorthand: -c -f -d -v -b take a value: -dVALUE, -d=VALUE, -d VALUE
    const letter = a[1]!;
    const long = KANIKO_SHORT.get(letter);
    const spec = long ? KANIKO_FLAGS.get(long) : undefined;
    if (!spec) {
      unknown.push(a);
      continue;
    }
    if (a.length > 2) {
      record(spec, a, a[2] === '=' ? a.slice(3) : a.slice(2));
    } else if (i < argv.length) {
      const v = argv[i]!;
      i++;
      record(spec, `${a} ${v}`, v);
    } else {
      unknown.push(`flag needs an argument: ${a}`);
    }
  }
  return { values, bools, unknown, ignored };
}

export function describeKaniko(argvIn: string[], ctx: DescribeContext): BuildDescription {
  const exists = ctx.exists ?? defaultExists;
  const argv = ctx.unicodeSpacesAsSeparators
    ? argvIn.flatMap((a) => a.split(UNICODE_SPACES).filter((s) => s !== ''))
    : argvIn;
  const p = parseKanikoArgv(argv);
  const unknown = [...p.unknown];
  const one = (k: string): string | undefined => p.values.get(k)?.[0];
  const list = (k: string): string[] => p.values.get(k) ?? [];

  // context (§2.2): plain path → abs against cwd; dir:// → local; other schemes are not modelled here
  const rawContext = one('context') ?? '/workspace/';
  const subPath = one('context-sub-path');
  let contextAbs: string | null = null;
  let context: string;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rawContext);
  if (!scheme) {
    contextAbs = path.resolve(ctx.cwd, rawContext);
    context = showPath(contextAbs, ctx.projectDir);
    if (subPath !== undefined && subPath !== '')
      p.ignored.push(`--context-sub-path ${subPath} (ignored by Kaniko for a plain-path context)`);
  } else if (scheme[1] === 'dir') {
    contextAbs = path.resolve(ctx.cwd, rawContext.slice('dir://'.length));
    if (subPath) contextAbs = path.join(contextAbs, subPath);
    context = showPath(contextAbs, ctx.projectDir);
  } else {
    context = `remote:${rawContext}${subPath ? ` sub-path=${subPath}` : ''}`;
    unknown.push(`context scheme not modelled: ${rawContext}`);
  }

  // Dockerfile (§2.3): URL kept; exists relative to cwd → that; else joined to the context
  const rawDf = one('dockerfile') ?? 'Dockerfile';
  let dockerfile: string;
  if (/^https?:\/\//.test(rawDf)) {
    dockerfile = `url:${rawDf}`;
    unknown.push(`Dockerfile URL not modelled: ${rawDf}`);
  } else {
    const cwdCandidate = path.resolve(ctx.cwd, rawDf);
    if (exists(cwdCandidate)) dockerfile = showPath(cwdCandidate, ctx.projectDir);
    else if (contextAbs !== null) {
      const inContext = path.join(contextAbs, rawDf); // Go filepath.Join: an absolute rawDf is appended
      dockerfile = showPath(inContext, ctx.projectDir);
      if (!exists(inContext)) unknown.push(`Dockerfile not found (Kaniko fails): ${rawDf}`);
    } else {
      dockerfile = `in-remote-context:${rawDf}`;
    }
  }

  const buildArgs: Record<string, string> = {};
  for (const v of list('build-arg')) {
    const eq = v.indexOf('=');
    if (eq >= 0) buildArgs[v.slice(0, eq)] = v.slice(eq + 1);
    else buildArgs[v] = ctx.env[v] ?? ''; // §2.6: empty when unset
  }
  const labels: Record<string, string> = {};
  for (const v of list('label')) {
    const eq = v.indexOf('=');
    if (eq < 0) unknown.push(`label without '=' (Kaniko fails): ${v}`);
    else labels[v.slice(0, eq)] = v.slice(eq + 1);
  }

  const destinations = list('destination');
  let noPush = p.bools.get('no-push') ?? false;
  const envNoPush = ctx.env.KANIKO_NO_PUSH;
  if (envNoPush !== undefined && envNoPush !== '') {
    const b = parseGoBool(envNoPush);
    if (b === null) unknown.push(`KANIKO_NO_PUSH=${envNoPush}`);
    else noPush = b; // §2.1: the env var overrides the flag
  }
  if (destinations.length === 0 && !noPush) unknown.push('no --destination and no --no-push (Kaniko fails)');
  // pull mirrors (§1 --registry-mirror / --registry-map): Docker Hub mirrors in order, then per-registry maps
  const registryMirrors: Record<string, string[]> = {};
  const addMirror = (host: string, m: string): void => {
    const h = registryHost(host);
    (registryMirrors[h] ??= []).push(normaliseMirror(m));
  };
  const mirrors = [...list('registry-mirror')];
  if (ctx.env.KANIKO_REGISTRY_MIRROR) mirrors.push(ctx.env.KANIKO_REGISTRY_MIRROR);
  for (const m of mirrors) addMirror('docker.io', m);
  const maps = [...list('registry-map')];
  if (ctx.env.KANIKO_REGISTRY_MAP) maps.push(ctx.env.KANIKO_REGISTRY_MAP);
  for (const m of maps) {
    for (const part of m.split(';').filter((x) => x !== '')) {
      const eq = part.indexOf('=');
      if (eq < 0) unknown.push(`bad --registry-map entry: ${part}`);
      else addMirror(part.slice(0, eq), part.slice(eq + 1));
    }
  }
  const push = destinations.length > 0 && !noPush;
  const images = push ? sortedUnique(destinations.map(normaliseImageRef)) : [];

  const tarPath = one('tar-path');
  const tar: TarOutput | null =
    tarPath !== undefined
      ? {
          path: showPath(path.resolve(ctx.cwd, tarPath), ctx.projectDir),
          names: sortedUnique(destinations.map(normaliseImageRef)),
        }
      : null;

  // cache (§2.8)
  let cacheImport: string[] = [];
  let cacheExport: string[] = [];
  let cacheInferredFrom: string | null = null;
  if (p.bools.get('cache')) {
    const repo = one('cache-repo');
    // §2.8 validation: Google's executor refuses a cache it could not push to; the oss fork accepts it with --no-push-cache.
    if (!repo && noPush && !p.bools.get('no-push-cache')) unknown.push(CACHE_WITHOUT_REPO);
    let r: string | null = null;
    if (repo)
      r = repo.startsWith('oci:')
        ? `oci:${showPath(path.resolve(ctx.cwd, repo.slice(4)), ctx.projectDir)}`
        : repositoryOf(repo);
    else if (destinations.length > 0) {
      cacheInferredFrom = repositoryOf(destinations[0]!);
      r = `${cacheInferredFrom}/cache`;
    } else if (!noPush) unknown.push('--cache with neither --cache-repo nor --destination (Kaniko fails)');
    if (r !== null) {
      cacheImport = [r];
      cacheExport = p.bools.get('no-push-cache') ? [] : [r];
    }
  }

  const target = one('target');
  const platform = one('custom-platform');
  return {
    context,
    dockerfile,
    buildArgs,
    labels,
    target: target === undefined ? null : target.toLowerCase(),
    platform: platform ?? null,
    images,
    push,
    tar,
    cacheImport,
    cacheExport,
    registryMirrors,
    unknown,
    ignored: p.ignored,
    cacheInferredFrom,
  };
}

/** True when the strict reading has an argv entry that a Unicode space would have split (the seed's U+3000). */
export function hasUnicodeSpaceEntries(argv: string[]): boolean {
  return argv.some((a) => UNICODE_SPACES.test(a));
}

// ---------------------------------------------------------------------------------------------- CSV

/** One CSV record the way tonistiigi/go-csvvalue reads it (strict quotes). Throws on a bad quote. */
export function parseCsvRecord(s: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (s[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= s.length) throw new Error(`unterminated quoted field in ${JSON.stringify(s)}`);
        if (s[i] === '"') {
          if (s[i + 1] === '"') {
            v += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        v += s[i];
        i++;
      }
      fields.push(v);
      if (i === s.length) return fields;
      if (s[i] !== ',') throw new Error(`extraneous text after a quoted field in ${JSON.stringify(s)}`);
      i++;
    } else {
      const end = s.indexOf(',', i);
      const v = end < 0 ? s.slice(i) : s.slice(i, end);
      if (v.includes('"')) throw new Error(`bare quote in a field of ${JSON.stringify(s)}`);
      fields.push(v);
      if (end < 0) return fields;
      i = end + 1;
    }
  }
}

function csvAttrs(value: string): { attrs: Map<string, string>; bad: string[] } {
  const attrs = new Map<string, string>();
  const bad: string[] = [];
  for (const field of parseCsvRecord(value)) {
    const eq = field.indexOf('=');
    if (eq < 0) {
      bad.push(field);
      continue;
    }
    attrs.set(field.slice(0, eq).toLowerCase(), field.slice(eq + 1));
  }
  return { attrs, bad };
}

// ---------------------------------------------------------------------------------------------- buildctl

type BkKind = 'string' | 'bool' | 'list';
type BkRole = 'model' | 'ignore' | 'unmodelled';
const BK_BUILD_FLAGS = new Map<string, { kind: BkKind; role: BkRole; canonical: string }>();
function bflag(kind: BkKind, role: BkRole, names: string[]): void {
  for (const n of names) BK_BUILD_FLAGS.set(n, { kind, role, canonical: names[0]! });
}
bflag('list', 'model', ['output', 'o']);
bflag('list', 'model', ['local']);
bflag('string', 'model', ['frontend']);
bflag('list', 'model', ['opt']);
bflag('list', 'model', ['export-cache']);
bflag('list', 'model', ['import-cache']);
bflag('string', 'ignore', ['progress']);
bflag('string', 'ignore', ['trace']);
bflag('string', 'ignore', ['ref-file']);
bflag('bool', 'ignore', ['no-cache']); // the daemon is ephemeral: nothing local to ignore
bflag('list', 'unmodelled', ['oci-layout']);
bflag('list', 'unmodelled', ['secret']);
bflag('list', 'unmodelled', ['allow']);
bflag('list', 'unmodelled', ['ssh']);
bflag('list', 'unmodelled', ['registry-auth-tlscontext']);
bflag('string', 'unmodelled', ['metadata-file']);
bflag('string', 'unmodelled', ['source-policy-file']);

const BK_GLOBAL_FLAGS = new Map<string, BkKind>([
  ['debug', 'bool'],
  ['addr', 'string'],
  ['log-format', 'string'],
  ['tlsservername', 'string'],
  ['tlscacert', 'string'],
  ['tlscert', 'string'],
  ['tlskey', 'string'],
  ['tlsdir', 'string'],
  ['timeout', 'string'],
  ['wait', 'bool'],
]);

/**
 * Go `flag`-style reading (urfave/cli v1): `-name`, `--name`, `=value` or next arg; bools only `--b` / `--b=v`.
 * Returns the flags in order and the first non-flag position.
 */
function goFlags(
  argv: string[],
  start: number,
  kindOf: (name: string) => BkKind | undefined,
): { flags: { name: string; value: string; raw: string }[]; unknown: string[]; next: number } {
  const flags: { name: string; value: string; raw: string }[] = [];
  const unknown: string[] = [];
  let i = start;
  while (i < argv.length) {
    const a = argv[i]!;
    if (a === '--') return { flags, unknown, next: i + 1 };
    if (!a.startsWith('-') || a === '-') break;
    i++;
    const body = a.startsWith('--') ? a.slice(2) : a.slice(1);
    const eq = body.indexOf('=');
    const name = eq >= 0 ? body.slice(0, eq) : body;
    const kind = kindOf(name);
    if (kind === undefined || name === '' || name.startsWith('-')) {
      unknown.push(a);
      continue;
    }
    if (eq >= 0) flags.push({ name, value: body.slice(eq + 1), raw: a });
    else if (kind === 'bool') flags.push({ name, value: 'true', raw: a });
    else if (i < argv.length) {
      flags.push({ name, value: argv[i]!, raw: `${a} ${argv[i]!}` });
      i++;
    } else unknown.push(`flag needs an argument: ${a}`);
  }
  return { flags, unknown, next: i };
}

/**
 * Reads the argv given to `buildctl-daemonless.sh` (= the argv of `buildctl`): `[global flags] build [build flags]`.
 */
export function describeBuildctl(argv: string[], ctx: DescribeContext): BuildDescription {
  const exists = ctx.exists ?? defaultExists;
  const unknown: string[] = [];
  const ignored: string[] = [];
  const g = goFlags(argv, 0, (n) => BK_GLOBAL_FLAGS.get(n));
  unknown.push(...g.unknown);
  ignored.push(...g.flags.map((f) => f.raw));
  let i = g.next;
  if (argv[i] !== 'build' && argv[i] !== 'b') {
    unknown.push(`expected the 'build' command, got ${JSON.stringify(argv[i] ?? '(nothing)')}`);
  } else i++;
  const b = goFlags(argv, i, (n) => BK_BUILD_FLAGS.get(n)?.kind);
  unknown.push(...b.unknown);
  for (const rest of argv.slice(b.next)) unknown.push(`positional argument: ${rest}`);

  let frontend: string | undefined;
  const locals = new Map<string, string>();
  const opts: { key: string; value: string | null; raw: string }[] = [];
  const outputs: string[] = [];
  const exportCache: string[] = [];
  const importCache: string[] = [];
  for (const f of b.flags) {
    const spec = BK_BUILD_FLAGS.get(f.name)!;
    if (spec.role === 'ignore') {
      ignored.push(f.raw);
      continue;
    }
    if (spec.role === 'unmodelled') {
      unknown.push(`unmodelled buildctl flag: ${f.raw}`);
      continue;
    }
    switch (spec.canonical) {
      case 'frontend':
        frontend = f.value;
        break;
      case 'local': {
        const eq = f.value.indexOf('=');
        if (eq < 0) unknown.push(`bad --local: ${f.value}`);
        else locals.set(f.value.slice(0, eq), f.value.slice(eq + 1));
        break;
      }
      case 'opt': {
        const eq = f.value.indexOf('=');
        opts.push({
          key: eq < 0 ? f.value : f.value.slice(0, eq),
          value: eq < 0 ? null : f.value.slice(eq + 1),
          raw: f.raw,
        });
        break;
      }
      case 'output':
        outputs.push(f.value);
        break;
      case 'export-cache':
        exportCache.push(f.value);
        break;
      case 'import-cache':
        importCache.push(f.value);
        break;
    }
  }
  if (frontend !== 'dockerfile.v0')
    unknown.push(`frontend is ${frontend === undefined ? 'missing' : JSON.stringify(frontend)}, not dockerfile.v0`);

  const buildArgs: Record<string, string> = {};
  const labels: Record<string, string> = {};
  let target: string | null = null;
  let platform: string | null = null;
  let filename = 'Dockerfile';
  let remoteContext: string | null = null;
  for (const o of opts) {
    if (o.value === null) {
      unknown.push(`--opt without '=' (buildctl ≤0.32.2 rejects it): ${o.raw}`);
      continue;
    }
    if (o.key.startsWith('build-arg:')) {
      const k = o.key.slice('build-arg:'.length);
      if (k.startsWith('BUILDKIT_'))
        ignored.push(o.raw); // frontend knobs (§3.5), no Kaniko counterpart
      else buildArgs[k] = o.value;
    } else if (o.key.startsWith('label:')) labels[o.key.slice('label:'.length)] = o.value;
    else if (o.key === 'target') target = o.value.toLowerCase();
    else if (o.key === 'platform') platform = o.value;
    else if (o.key === 'filename') filename = o.value;
    else if (o.key === 'context') remoteContext = o.value;
    else unknown.push(`unmodelled --opt: ${o.raw}`);
  }
  // buildctl ≥0.13 copies the client env SOURCE_DATE_EPOCH into build-arg:SOURCE_DATE_EPOCH (§3.1)
  const sde = ctx.env.SOURCE_DATE_EPOCH;
  if (sde !== undefined && !('SOURCE_DATE_EPOCH' in buildArgs)) buildArgs.SOURCE_DATE_EPOCH = sde;

  let context: string;
  let contextAbs: string | null = null;
  if (remoteContext !== null) {
    context = `remote:${remoteContext}`;
    unknown.push(`remote context not modelled: ${remoteContext}`);
  } else if (locals.has('context')) {
    contextAbs = path.resolve(ctx.cwd, locals.get('context')!);
    context = showPath(contextAbs, ctx.projectDir);
  } else {
    context = '(none)';
    unknown.push('no --local context=');
  }
  let dockerfile: string;
  if (locals.has('dockerfile')) {
    const abs = path.join(path.resolve(ctx.cwd, locals.get('dockerfile')!), filename);
    dockerfile = showPath(abs, ctx.projectDir);
    if (!exists(abs)) unknown.push(`Dockerfile not found (buildctl fails): ${dockerfile}`);
  } else {
    dockerfile = '(none)';
    unknown.push('no --local dockerfile=');
  }
  for (const name of locals.keys())
    if (name !== 'context' && name !== 'dockerfile') unknown.push(`unmodelled --local ${name}=`);

  let push = false;
  const images: string[] = [];
  let tar: TarOutput | null = null;
  for (const out of outputs) {
    let parsed: ReturnType<typeof csvAttrs>;
    try {
      parsed = csvAttrs(out);
    } catch (e) {
      unknown.push(`--output is not valid CSV (${(e as Error).message})`);
      continue;
    }
    const { attrs, bad } = parsed;
    for (const x of bad) unknown.push(`--output field without '=': ${x}`);
    const type = attrs.get('type');
    attrs.delete('type');
    const names = (attrs.get('name') ?? '').split(',').filter((n) => n !== '');
    attrs.delete('name');
    if (type === 'image') {
      const pv = attrs.get('push');
      attrs.delete('push');
      let thisPush = false;
      if (pv !== undefined) {
        const pb = pv === '' ? true : parseGoBool(pv);
        if (pb === null) unknown.push(`bad push= value: ${pv}`);
        else thisPush = pb;
      }
      if (thisPush) {
        push = true;
        images.push(...names.map(normaliseImageRef));
      }
    } else if (type === 'docker') {
      const dest = attrs.get('dest');
      attrs.delete('dest');
      if (dest === undefined || dest === '-') unknown.push(`docker output without a dest file: ${out}`);
      else if (tar !== null) unknown.push(`second docker tar output: ${out}`);
      else
        tar = {
          path: showPath(path.resolve(ctx.cwd, dest), ctx.projectDir),
          names: sortedUnique(names.map(normaliseImageRef)),
        };
    } else {
      unknown.push(`unmodelled output type ${JSON.stringify(type ?? '(missing)')}: ${out}`);
      continue;
    }
    for (const [k, v] of attrs) unknown.push(`unmodelled ${type} output attribute: ${k}=${v}`);
  }

  const readCache = (values: string[], dir: 'import' | 'export'): string[] => {
    const out: string[] = [];
    for (const v of values) {
      let parsed: ReturnType<typeof csvAttrs>;
      try {
        parsed = csvAttrs(v);
      } catch (e) {
        unknown.push(`--${dir}-cache is not valid CSV (${(e as Error).message})`);
        continue;
      }
      const { attrs, bad } = parsed;
      if (attrs.size === 0 && bad.length === 1) {
        out.push(repositoryOf(bad[0]!)); // legacy bare form: --export-cache REF (§3.3)
        continue;
      }
      for (const x of bad) unknown.push(`--${dir}-cache field without '=': ${x}`);
      const type = attrs.get('type');
      attrs.delete('type');
      if (type === 'registry') {
        const ref = attrs.get('ref');
        attrs.delete('ref');
        if (!ref) unknown.push(`--${dir}-cache registry without ref: ${v}`);
        else out.push(repositoryOf(ref));
        for (const k of [
          'mode',
          'ignore-error',
          'image-manifest',
          'oci-mediatypes',
          'compression',
          'compression-level',
          'force-compression',
        ])
          attrs.delete(k);
      } else if (type === 'local') {
        const key = dir === 'export' ? 'dest' : 'src';
        const p = attrs.get(key);
        attrs.delete(key);
        attrs.delete('tag');
        attrs.delete('mode');
        attrs.delete('ignore-error');
        if (!p) unknown.push(`--${dir}-cache local without ${key}: ${v}`);
        else out.push(`oci:${showPath(path.resolve(ctx.cwd, p), ctx.projectDir)}`);
      } else {
        unknown.push(`unmodelled --${dir}-cache type ${JSON.stringify(type ?? '(missing)')}: ${v}`);
        continue;
      }
      for (const [k, val] of attrs) unknown.push(`unmodelled --${dir}-cache attribute: ${k}=${val}`);
    }
    return sortedUnique(out);
  };

  // buildkitd.toml (§3.9): mirrors per registry; `http = true` on a mirror host means plain HTTP
  const registryMirrors: Record<string, string[]> = {};
  const cfg = ctx.buildkitdConfig;
  if (cfg?.explicit && cfg.content === null) unknown.push('BUILDKITD_FLAGS names a --config file that does not exist');
  if (cfg?.content) {
    let toml: Record<string, unknown> = {};
    try {
      toml = parseToml(cfg.content) as Record<string, unknown>;
    } catch (e) {
      unknown.push(`buildkitd.toml does not parse: ${(e as Error).message.split('\n')[0]}`);
    }
    const registries = (toml.registry ?? {}) as Record<string, Record<string, unknown>>;
    for (const key of Object.keys(toml))
      if (key !== 'registry') unknown.push(`unmodelled buildkitd.toml section: ${key}`);
    for (const [host, conf] of Object.entries(registries)) {
      for (const [k, v] of Object.entries(conf)) {
        if (k === 'mirrors' && Array.isArray(v)) {
          for (const m of v) {
            const mHost = String(m).split('/')[0]!;
            const http = registries[mHost]?.http === true;
            (registryMirrors[registryHost(host)] ??= []).push(http ? `http://${String(m)}` : String(m));
          }
        } else if (k === 'http' && v === true) {
          // plain-HTTP mirror hosts are read above; on a pushed-to registry it is not modelled
          const isMirror = Object.values(registries).some(
            (c) => Array.isArray(c.mirrors) && c.mirrors.some((m) => String(m).split('/')[0] === host),
          );
          if (!isMirror) unknown.push(`unmodelled buildkitd.toml setting: registry."${host}".http`);
        } else unknown.push(`unmodelled buildkitd.toml setting: registry."${host}".${k}`);
      }
    }
  }

  return {
    context,
    dockerfile,
    buildArgs,
    labels,
    target,
    platform,
    registryMirrors,
    images: sortedUnique(images),
    push,
    tar,
    cacheImport: readCache(importCache, 'import'),
    cacheExport: readCache(exportCache, 'export'),
    unknown,
    ignored,
    cacheInferredFrom: null,
  };
}

// ---------------------------------------------------------------------------------------------- compare

function sortRecordOfLists(r: Record<string, string[]>): Record<string, string[]> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

function sortRecord(r: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The compared part of a description (everything but `ignored` / `cacheInferredFrom`), with stable key order. */
export function comparable(d: BuildDescription): Omit<BuildDescription, 'ignored' | 'cacheInferredFrom'> {
  return {
    context: d.context,
    dockerfile: d.dockerfile,
    buildArgs: sortRecord(d.buildArgs),
    labels: sortRecord(d.labels),
    target: d.target,
    platform: d.platform,
    images: d.images,
    push: d.push,
    tar: d.tar,
    cacheImport: d.cacheImport,
    cacheExport: d.cacheExport,
    registryMirrors: sortRecordOfLists(d.registryMirrors),
    unknown: [...d.unknown].sort(),
  };
}

export interface DiffOptions {
  /**
   * When Kaniko inferred its cache repo (`<first destination repo>/cache`), also accept the BuildKit cache in the
   * first destination's own repository (the GitLab-docs convention `ref=$CI_REGISTRY_IMAGE:cache`, used by the
   * article). Off by default: the repository must match.
   */
  inferredCacheMayUseImageRepo?: boolean;
}

/** Human-readable differences; empty when both describe the same build. Unknown entries on either side are always a difference. */
export function diffDescriptions(before: BuildDescription, after: BuildDescription, opts: DiffOptions = {}): string[] {
  const a = comparable(before);
  const b = comparable(after);
  const inferred = before.cacheInferredFrom;
  if (opts.inferredCacheMayUseImageRepo && inferred !== null) {
    const map = (xs: string[]): string[] => sortedUnique(xs.map((x) => (x === inferred ? `${inferred}/cache` : x)));
    b.cacheImport = map(b.cacheImport);
    b.cacheExport = map(b.cacheExport);
  }
  const out: string[] = [];
  for (const key of Object.keys(a) as (keyof typeof a)[]) {
    if (key === 'unknown') continue;
    const x = JSON.stringify(a[key]);
    const y = JSON.stringify(b[key]);
    if (x !== y) out.push(`${key}: before ${x}, after ${y}`);
  }
  for (const u of a.unknown) out.push(`not understood in the Kaniko call: ${u}`);
  for (const u of b.unknown) out.push(`not understood in the buildctl call: ${u}`);
  return out;
}
