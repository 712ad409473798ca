/**
 * Which generator sources a run reads: `.ts .mts .cts .js .mjs` files under the repository (declaration files and
 * dependency/build folders skipped), or those a `--sources` glob names. No ts-morph here: listing is plain fs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs'];
/**
 * Folders not entered: dependencies, build output, VCS data. A glob that names one literally (`build/ci/*.ts`, or the
 * path of one file there) enters it all the same, except `.git`.
 */
export const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', '.git']);
export const DEFAULT_SOURCES = '**/*.{ts,mts,cts,js,mjs}';

/**
 * A glob as a RegExp over `/`-separated paths relative to the root: `**` (any folders), `*` and `?` (within one
 * name), `{a,b}` alternatives and `[…]` classes. Several globs may be given separated by commas outside braces.
 */
export function globToRegExp(glob: string): RegExp {
  const parts = splitTopLevel(glob.trim()).map((g) => translate(g.replace(/^\.\//, '')));
  return new RegExp(`^(?:${parts.join('|')})$`);
}

function splitTopLevel(glob: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const c of glob) {
    if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    if (c === ',' && depth === 0) {
      if (cur.trim()) out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out.length ? out : [DEFAULT_SOURCES];
}

function translate(glob: string): string {
  let re = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        // `**/` matches zero or more folders; a trailing `**` anything below
        const slash = glob[i + 2] === '/';
        re += slash ? '(?:[^/]*/)*' : '.*';
        i += slash ? 2 : 1;
      } else re += '[^/]*';
    } else if (c === '?') re += '[^/]';
    else if (c === '{') {
      braces++;
      re += '(?:';
    } else if (c === '}' && braces) {
      braces--;
      re += ')';
    } else if (c === ',' && braces) re += '|';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close < 0) re += '\\[';
      else {
        const body = glob
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^$()|\\/]/g, (m) => `\\${m}`);
  }
  return re;
}

/** The folders a glob names before its first wildcard (`build/ci/**` → `build/ci/`), one per comma-separated glob. */
function literalPrefixes(glob: string): string[] {
  return splitTopLevel(glob.trim()).map((g) => {
    const literal = g.replace(/^\.\//, '').split(/[*?[{]/)[0]!;
    return literal.slice(0, literal.lastIndexOf('/') + 1);
  });
}

/** Source files under `root` matching `glob` (relative `/` paths, sorted). */
export function listSourceFiles(root: string, glob: string = DEFAULT_SOURCES): string[] {
  const re = globToRegExp(glob);
  const named = literalPrefixes(glob);
  const enter = (name: string, path: string) =>
    !SKIPPED_DIRS.has(name) || (name !== '.git' && named.some((p) => p.startsWith(`${path}/`)));
  const out: string[] = [];
  const walk = (rel: string) => {
    let entries;
    try {
      entries = readdirSync(join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (enter(e.name, path)) walk(path);
      } else if (e.isFile() && isSourceName(e.name) && re.test(path)) out.push(path);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The glob of a `--sources` option: the default when not given, none for `--no-sources` (false) or an empty glob.
 * Throws when the glob cannot be read.
 */
export function resolveSources(option: string | false | undefined): string | undefined {
  const glob = option === false ? undefined : option === undefined ? DEFAULT_SOURCES : option.trim() || undefined;
  if (glob) globToRegExp(glob);
  return glob;
}

export function isSourceName(name: string): boolean {
  if (/\.d\.[mc]?ts$/.test(name)) return false;
  return SOURCE_EXTENSIONS.some((x) => name.endsWith(x));
}

/**
 * A glob that matches this one relative path: wildcard and bracket characters as one-character classes. A comma
 * cannot be written in a glob (it separates globs): it becomes `?`, so check the files the glob lists.
 */
export function globForPath(path: string): string {
  return path
    .replace(/^\.\//, '')
    .replace(/[*?[{]/g, (c) => `[${c}]`)
    .replace(/,/g, '?');
}

/**
 * A source that can hold a Kaniko job, an executor call or a gcix KanikoExecute: only then is ts-morph loaded. Here,
 * not in load.ts, so that the declarations of the package's entry never name ts-morph (an optional dependency).
 */
export function mayMatter(text: string): boolean {
  return /kaniko|executor/i.test(text);
}
