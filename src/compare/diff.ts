/**
 * What a user of the image would notice, image A against image B: the config (`Env` and `Labels` by name,
 * `ExposedPorts` and `Volumes` by key, `Entrypoint`, `Cmd`, `WorkingDir`, `User`, `StopSignal`, `Healthcheck`,
 * `Shell`, OS/architecture/variant as values) and each path of the flattened filesystems (type, mode, owner, size,
 * content digest, link target, xattrs). What differs in every rebuild is kept apart as expected differences:
 * timestamps (`created`, file mtimes), history and layer boundaries, manifest annotations.
 */
import type { Code } from '../findings/registry.js';
import type { FsEntry } from './filesystem.js';
import type { ImageConfig, LoadedImage } from './image.js';

/** One difference; A is the first image (Kaniko's, in a migration), B the second. */
export interface Difference {
  /**
   * `config` (then `path` is `Env FOO`, `User`, `Labels a.b`), `filesystem` (then `path` is `/etc/passwd`), or
   * `platform` (a platform of an index only in one image: `path` is `linux/arm64`).
   */
  area: 'config' | 'filesystem' | 'platform';
  path: string;
  /** `removed`: only in A; `added`: only in B; `changed`: in both, differently. */
  change: 'added' | 'removed' | 'changed';
  /** What differs, field by field (`mode`, `uid`, `value` …), each with A's and B's value. */
  fields: { field: string; a?: unknown; b?: unknown }[];
  /** The known Kaniko/BuildKit behaviour this difference has the shape of. */
  code?: Code;
  explain?: string;
}

/** A difference every rebuild has: reported, a failure only with `--strict`. */
export interface ExpectedDifference {
  kind: 'created' | 'timestamps' | 'history' | 'layers' | 'annotations' | 'attestations';
  code: Code;
  summary: string;
  /** The first few paths or keys concerned. */
  examples?: string[];
  count?: number;
}

const CONFIG_VALUES = ['Entrypoint', 'Cmd', 'WorkingDir', 'User', 'StopSignal', 'Healthcheck', 'Shell'] as const;
const PLATFORM_VALUES = ['os', 'architecture', 'variant'] as const;

/** Arrays and objects compared by value (objects with sorted keys); `undefined`, `null` and `''` or `[]` alike. */
function canonical(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0)) return undefined;
  if (typeof v === 'object' && !Array.isArray(v) && Object.keys(v as object).length === 0) return undefined;
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(
          Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
        )
      : x,
  );
}

function valueDifference(area: Difference['area'], path: string, a: unknown, b: unknown): Difference | undefined {
  const ca = canonical(a);
  const cb = canonical(b);
  if (ca === cb) return undefined;
  const change = ca === undefined ? 'added' : cb === undefined ? 'removed' : 'changed';
  return {
    area,
    path,
    change,
    fields: [{ field: 'value', ...(ca !== undefined ? { a } : {}), ...(cb !== undefined ? { b } : {}) }],
  };
}

/** `["A=1","B=2"]` → name → value (the last wins, as a runtime reads it). */
export function envMap(env: unknown): Map<string, string> {
  const m = new Map<string, string>();
  if (Array.isArray(env))
    for (const e of env) {
      if (typeof e !== 'string') continue;
      const eq = e.indexOf('=');
      m.set(eq < 0 ? e : e.slice(0, eq), eq < 0 ? '' : e.slice(eq + 1));
    }
  return m;
}

function keyed(
  out: Difference[],
  label: string,
  a: Map<string, unknown>,
  b: Map<string, unknown>,
  withValues: boolean,
): void {
  for (const key of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const path = `${label} ${key}`;
    if (!a.has(key))
      out.push({
        area: 'config',
        path,
        change: 'added',
        fields: withValues ? [{ field: 'value', b: b.get(key) }] : [],
      });
    else if (!b.has(key))
      out.push({
        area: 'config',
        path,
        change: 'removed',
        fields: withValues ? [{ field: 'value', a: a.get(key) }] : [],
      });
    else if (withValues && canonical(a.get(key)) !== canonical(b.get(key)))
      out.push({ area: 'config', path, change: 'changed', fields: [{ field: 'value', a: a.get(key), b: b.get(key) }] });
  }
}

const objectMap = (o: unknown): Map<string, unknown> =>
  new Map(o && typeof o === 'object' && !Array.isArray(o) ? Object.entries(o as Record<string, unknown>) : []);

export function configDifferences(a: ImageConfig, b: ImageConfig): Difference[] {
  const out: Difference[] = [];
  for (const key of PLATFORM_VALUES) {
    const d = valueDifference('config', key, a[key], b[key]);
    if (d) out.push(d);
  }
  const ca = a.config ?? {};
  const cb = b.config ?? {};
  keyed(out, 'Env', envMap(ca.Env), envMap(cb.Env), true);
  for (const key of CONFIG_VALUES) {
    const d = valueDifference('config', key, ca[key], cb[key]);
    if (d) out.push(d);
  }
  keyed(out, 'ExposedPorts', objectMap(ca.ExposedPorts), objectMap(cb.ExposedPorts), false);
  keyed(out, 'Volumes', objectMap(ca.Volumes), objectMap(cb.Volumes), false);
  keyed(out, 'Labels', objectMap(ca.Labels), objectMap(cb.Labels), true);
  return out;
}

const FILE_FIELDS = ['type', 'mode', 'uid', 'gid', 'size', 'digest', 'linkname'] as const;

/** Shown as `0755`. */
export const octal = (mode: number): string => mode.toString(8).padStart(4, '0');

function entryFields(a: FsEntry, b: FsEntry): Difference['fields'] {
  const fields: Difference['fields'] = [];
  for (const f of FILE_FIELDS) {
    if (a[f] === b[f]) continue;
    fields.push(f === 'mode' ? { field: f, a: octal(a.mode), b: octal(b.mode) } : { field: f, a: a[f], b: b[f] });
  }
  if (canonical(a.xattrs) !== canonical(b.xattrs))
    fields.push({ field: 'xattrs', a: a.xattrs ?? {}, b: b.xattrs ?? {} });
  return fields;
}

/** The entry as a difference shows one that is only on one side. */
function summary(e: FsEntry): Record<string, unknown> {
  return {
    type: e.type,
    mode: octal(e.mode),
    uid: e.uid,
    gid: e.gid,
    ...(e.type === 'file' ? { size: e.size, digest: e.digest } : {}),
    ...(e.linkname !== undefined ? { linkname: e.linkname } : {}),
  };
}

/**
 * The filesystem differences, by path. A path only on one side whose parent is only on that side too is left out:
 * its directory's difference says it (a whole tree missing is one difference, with the count of what it holds).
 */
export function filesystemDifferences(a: Map<string, FsEntry>, b: Map<string, FsEntry>): Difference[] {
  const out: Difference[] = [];
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort();
  const onlyUnder = (fs: Map<string, FsEntry>, other: Map<string, FsEntry>, dir: string): number => {
    let n = 0;
    for (const p of fs.keys()) if (p.startsWith(`${dir}/`) && !other.has(p)) n++;
    return n;
  };
  for (const path of paths) {
    const ea = a.get(path);
    const eb = b.get(path);
    const slash = path.lastIndexOf('/');
    const parent = slash < 0 ? '' : path.slice(0, slash);
    if (ea && eb) {
      const fields = entryFields(ea, eb);
      if (fields.length) out.push({ area: 'filesystem', path: `/${path}`, change: 'changed', fields });
    } else {
      const [side, other] = ea ? [a, b] : [b, a];
      if (parent !== '' && !other.has(parent)) continue;
      const e = (ea ?? eb)!;
      const under = e.type === 'dir' ? onlyUnder(side, other, path) : 0;
      const value = { ...summary(e), ...(under ? { entries: under } : {}) };
      out.push({
        area: 'filesystem',
        path: `/${path}`,
        change: ea ? 'removed' : 'added',
        fields: [ea ? { field: 'entry', a: value } : { field: 'entry', b: value }],
      });
    }
  }
  return out;
}

const sample = (xs: string[]): string[] => xs.slice(0, 5);

/** Timestamps, history, layer boundaries and annotations: what every rebuild changes. */
export function expectedDifferences(a: LoadedImage, b: LoadedImage): ExpectedDifference[] {
  const out: ExpectedDifference[] = [];
  if ((a.config.created ?? '') !== (b.config.created ?? ''))
    out.push({
      kind: 'created',
      code: 'KB706',
      summary: `created ${a.config.created ?? '(none)'} → ${b.config.created ?? '(none)'}`,
    });
  const touched: string[] = [];
  for (const [path, ea] of a.fs) {
    const eb = b.fs.get(path);
    if (eb && !ea.implicit && !eb.implicit && (ea.mtime ?? 0) !== (eb.mtime ?? 0)) touched.push(`/${path}`);
  }
  touched.sort();
  if (touched.length)
    out.push({
      kind: 'timestamps',
      code: 'KB706',
      summary: `${touched.length} path${touched.length === 1 ? '' : 's'} in both images with another mtime`,
      examples: sample(touched),
      count: touched.length,
    });
  const history = (c: ImageConfig) => (c.history ?? []).map((h) => ({ ...h, created: undefined }));
  if (canonical(history(a.config)) !== canonical(history(b.config)))
    out.push({
      kind: 'history',
      code: 'KB707',
      summary: `history: ${a.config.history?.length ?? 0} entries → ${b.config.history?.length ?? 0}`,
    });
  const la = a.manifest.layers.map((l) => l.digest);
  const lb = b.manifest.layers.map((l) => l.digest);
  if (canonical(la) !== canonical(lb)) {
    const shared = la.filter((d) => lb.includes(d)).length;
    out.push({
      kind: 'layers',
      code: 'KB707',
      summary: `layers: ${la.length} → ${lb.length}, ${shared} shared`,
      count: Math.abs(la.length - lb.length),
    });
  }
  const aa = a.manifest.annotations ?? {};
  const ab = b.manifest.annotations ?? {};
  const keys = [...new Set([...Object.keys(aa), ...Object.keys(ab)])].filter((k) => aa[k] !== ab[k]).sort();
  if (keys.length)
    out.push({
      kind: 'annotations',
      code: 'KB708',
      summary: `manifest annotations: ${keys.length} differ`,
      examples: sample(keys),
      count: keys.length,
    });
  return out;
}
