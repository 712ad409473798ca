/**
 * The shape of `kaniko/` by its imports (type-only ones included): no cycle among its files, and it imports only
 * stages to its left (findings, text, shell, pipeline, yaml, plan), never `buildkit/`, which renders what it plans.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const KANIKO = join(SRC, 'kaniko');
const LEFT = ['findings', 'text', 'shell', 'pipeline', 'yaml', 'plan'];

/** Relative imports of one file, as paths under src/ without extension (`kaniko/types`, `plan/build-plan`). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(KANIKO, file), 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
    out.push(normalize(join('kaniko', m[1]!)).replace(/\.js$/, ''));
  }
  return out;
}

const files = readdirSync(KANIKO).filter((f) => f.endsWith('.ts'));
const graph = new Map(files.map((f) => [`kaniko/${f.replace(/\.ts$/, '')}`, importsOf(f)]));

test('kaniko/ imports only stages to its left', () => {
  const wrong = [...graph].flatMap(([from, to]) =>
    to.filter((t) => !t.startsWith('kaniko/') && !LEFT.includes(t.split('/')[0]!)).map((t) => `${from} → ${t}`),
  );
  expect(wrong).toEqual([]);
});

test('no import cycle among kaniko/ files', () => {
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (node: string, path: string[]) => {
    if (state.get(node) === 'done') return;
    if (state.get(node) === 'open') {
      cycles.push([...path.slice(path.indexOf(node)), node].join(' → '));
      return;
    }
    state.set(node, 'open');
    for (const next of graph.get(node) ?? []) if (graph.has(next)) visit(next, [...path, node]);
    state.set(node, 'done');
  };
  for (const node of graph.keys()) visit(node, []);
  expect(cycles).toEqual([]);
});
