/**
 * The known Kaniko/BuildKit differences (KB701–KB705), matched by shape: an explanation is attached to a difference
 * only when the difference has exactly the shape the behaviour produces, and when the images say what the behaviour
 * needs (a `User` that resolves to the file's uid, a history that declares the ARG, a config that lists the volume).
 * Image A is taken to be Kaniko's, image B BuildKit's, as `compare KANIKO_IMAGE BUILDKIT_IMAGE` is run.
 */
import type { Difference } from './diff.js';
import { octal } from './diff.js';
import type { Filesystem } from './filesystem.js';
import type { LoadedImage } from './image.js';

export interface ConfigUser {
  /** As the config says it (`app`, `1000:1000`). */
  user: string;
  uid: number;
}

/** The uid of the config's `User` (a name is looked up in the image's /etc/passwd); undefined when it cannot be told. */
export function configUser(image: LoadedImage): ConfigUser | undefined {
  const user = String(image.config.config?.User ?? '');
  if (user === '') return { user: 'root', uid: 0 };
  const name = user.split(':')[0]!;
  if (/^\d+$/.test(name)) return { user, uid: Number(name) };
  const passwd = image.fs.get('etc/passwd')?.text ?? '';
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f.length >= 3 && /^\d+$/.test(f[2]!)) return { user, uid: Number(f[2]) };
  }
  return undefined;
}

const only = (d: Difference, ...fields: string[]): boolean =>
  d.change === 'changed' && d.fields.length > 0 && d.fields.every((f) => fields.includes(f.field));

const relative = (path: string): string => path.replace(/^\/+/, '');

/** A directory path of the config (`/app/`, `app`) as a filesystem key (`app`). */
const key = (p: string): string =>
  p
    .split('/')
    .filter((x) => x !== '' && x !== '.')
    .join('/');

/** Was the directory written by the same layer as something under it? */
function createdWithChild(fs: Filesystem, dir: string): boolean {
  const e = fs.get(dir);
  if (!e) return false;
  for (const [p, c] of fs) if (p.startsWith(`${dir}/`) && c.layer === e.layer && !c.implicit) return true;
  return false;
}

function copyOwnership(d: Difference, a: LoadedImage, b: LoadedImage): string | undefined {
  if (d.area !== 'filesystem' || !only(d, 'uid', 'gid')) return undefined;
  const ea = a.fs.get(relative(d.path));
  const eb = b.fs.get(relative(d.path));
  const user = configUser(a);
  if (!ea || !eb || !user || user.uid === 0 || ea.type === 'dir') return undefined;
  if (ea.uid !== user.uid || eb.uid !== 0 || eb.gid !== 0) return undefined;
  return (
    `COPY ownership: Kaniko copied as USER ${user.user} (uid ${ea.uid}, gid ${ea.gid}), BuildKit as root — ` +
    `add \`--chown=${user.user}\` to the COPY/ADD that writes ${d.path} if it should belong to ${user.user}`
  );
}

function workdirParent(d: Difference, a: LoadedImage, b: LoadedImage): string | undefined {
  if (d.area !== 'filesystem' || !only(d, 'uid', 'gid')) return undefined;
  const path = relative(d.path);
  const ea = a.fs.get(path);
  const eb = b.fs.get(path);
  const wd = key(String(b.config.config?.WorkingDir ?? ''));
  const user = configUser(b);
  if (!ea || !eb || ea.type !== 'dir' || eb.type !== 'dir' || !user || user.uid === 0) return undefined;
  if (wd === '' || !wd.startsWith(`${path}/`) || key(String(a.config.config?.WorkingDir ?? '')) !== wd)
    return undefined;
  if (ea.uid !== 0 || eb.uid !== user.uid) return undefined;
  return (
    `WORKDIR parent: /${wd} is the WORKDIR; BuildKit gave its parent ${d.path} to USER ${user.user} (uid ${eb.uid}), ` +
    'Kaniko left it to root — create it explicitly before the WORKDIR if the owner matters'
  );
}

function implicitParentMode(d: Difference, a: LoadedImage, b: LoadedImage): string | undefined {
  if (d.area !== 'filesystem' || !only(d, 'mode')) return undefined;
  const path = relative(d.path);
  const ea = a.fs.get(path);
  const eb = b.fs.get(path);
  if (ea?.type !== 'dir' || eb?.type !== 'dir') return undefined;
  if (!createdWithChild(a.fs, path) && !createdWithChild(b.fs, path)) return undefined;
  return (
    `implicit parent directory: ${d.path} was created by the step that wrote what it holds; Kaniko left it ` +
    `${octal(ea.mode)}, BuildKit ${octal(eb.mode)} — create it with its mode explicitly if the mode matters`
  );
}

function envBeatsArg(d: Difference, a: LoadedImage, b: LoadedImage): string | undefined {
  if (d.area !== 'config' || d.change !== 'changed' || !d.path.startsWith('Env ')) return undefined;
  const name = d.path.slice(4);
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const arg = new RegExp(`(^|\\s)ARG\\s+${escaped}(=|\\s|$)`);
  const declared = [a, b].some((img) => (img.config.history ?? []).some((h) => arg.test(h.created_by ?? '')));
  if (!declared) return undefined;
  return (
    `ENV and ARG ${name}: the Dockerfile declares both; Kaniko lets the ENV value win, BuildKit the later ARG — ` +
    'rename one of them so both builders agree'
  );
}

function volumeMkdir(d: Difference, a: LoadedImage): string | undefined {
  if (d.area !== 'filesystem' || d.change !== 'removed') return undefined;
  const path = relative(d.path);
  if (a.fs.get(path)?.type !== 'dir') return undefined;
  const volumes = Object.keys((a.config.config?.Volumes ?? {}) as object).map(key);
  if (!volumes.some((v) => v === path || v.startsWith(`${path}/`))) return undefined;
  return (
    `VOLUME path: Kaniko created ${d.path} in the image for its VOLUME, BuildKit leaves it to the container runtime ` +
    '(it exists in a running container of either image)'
  );
}

const MATCHERS = [
  ['KB701', copyOwnership],
  ['KB703', workdirParent],
  ['KB702', implicitParentMode],
  ['KB704', envBeatsArg],
  ['KB705', volumeMkdir],
] as const;

/** The differences, each with the first known behaviour whose shape it has (code and explanation). */
export function explainDifferences(diffs: readonly Difference[], a: LoadedImage, b: LoadedImage): Difference[] {
  return diffs.map((d) => {
    for (const [code, match] of MATCHERS) {
      const explain = match(d, a, b);
      if (explain) return { ...d, code, explain };
    }
    return d;
  });
}
