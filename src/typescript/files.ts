/**
 * Which generator sources a run reads: `.ts .mts .cts .js .mjs` files under the repository (declaration files and
 * dependency/build folders skipped), or those a `--sources` glob names. No ts-morph here: listing is plain fs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

export const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs'];
/** Folders never entered: dependencies, build output, VCS data. */
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
        const body = glob.slice(i + 1, close).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = close;
      }
    } else re += c.replace(/[.+^$()|\\/]/g, (m) => `\\${m}`);
  }
  return re;
}

/** Source files under `root` matching `glob` (relative `/` paths, sorted). */
export function listSourceFiles(root: string, glob: string = DEFAULT_SOURCES): string[] {
  const re = globToRegExp(glob);
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
        if (!SKIPPED_DIRS.has(e.name)) walk(path);
      } else if (e.isFile() && isSourceName(e.name) && re.test(path)) out.push(path);
    }
  };
  walk('');
  return out.sort();
}

export function isSourceName(name: string): boolean {
  if (/\.d\.[mc]?ts$/.test(name)) return false;
  return SOURCE_EXTENSIONS.some((x) => name.endsWith(x));
}
