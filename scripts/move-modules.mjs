// One-off helper for reshaping the tree: moves modules (git mv) and rewrites every relative import that named them.
// Usage: node scripts/move-modules.mjs old.ts=new.ts ...   (paths relative to the repository root)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, relative, resolve, posix } from 'node:path';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const moves = new Map(process.argv.slice(2).map((a) => a.split('=').map((p) => resolve(root, p))));
const files = execFileSync('git', ['ls-files', 'src', 'test', 'bench', 'scripts'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => /\.(ts|mts|mjs|js)$/.test(f))
  .map((f) => resolve(root, f));
const newPath = (p) => moves.get(p) ?? p;
const spec = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\2/g;
for (const file of files) {
  const text = readFileSync(file, 'utf8');
  const from = newPath(file);
  const out = text.replace(spec, (all, lead, q, s) => {
    const target = resolve(dirname(file), s);
    const asTs = target.replace(/\.js$/, '.ts');
    const moved = moves.get(asTs) ?? moves.get(target);
    if (!moved && !moves.has(file)) return all;
    const dest = moved ? (target.endsWith('.js') ? moved.replace(/\.ts$/, '.js') : moved) : target;
    let rel = relative(dirname(from), dest).split('\\').join(posix.sep);
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${lead}${q}${rel}${q}`;
  });
  if (out !== text) writeFileSync(file, out);
}
for (const [a, b] of moves) {
  mkdirSync(dirname(b), { recursive: true });
  execFileSync('git', ['mv', a, b], { cwd: root });
}
