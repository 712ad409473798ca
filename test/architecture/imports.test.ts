/**
 * The import checker (scripts/check-imports.mjs) on the real tree and on small synthetic trees: a cycle, an import to
 * the right, bench ↔ test and an unplaced stage are caught whichever import form carries them; a clean tree passes;
 * the allowlist turns violations into warnings and fails once an entry is stale.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SCRIPT = join(REPO, 'scripts', 'check-imports.mjs');

function check(root: string, ...args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [SCRIPT, '--root', root, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout + r.stderr };
}

const roots: string[] = [];
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'k2b-imports-'));
  roots.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const CLEAN = {
  'src/findings/types.ts': 'export type Code = string;\n',
  'src/text/edits.ts': "import type { Code } from '../findings/types.js';\nexport const c: Code = 'x';\n",
  'src/shell/parse.ts':
    "export * from '../text/edits.js';\nimport { c } from '../text/edits.js';\nexport const d = c;\n",
  'src/cli/main.ts': "export const run = async () => (await import('../shell/parse.js')).d;\n",
  'src/index.ts': "export { run } from './cli/main.js';\nimport 'chalk';\nimport { readFileSync } from 'node:fs';\n",
  'test/shell.test.ts': "import { d } from '../src/shell/parse.js';\nimport { h } from './helpers.js';\n",
  'test/helpers.ts': 'export const h = 1;\n',
  'bench/run.mjs': "import { run } from '../dist/index.js';\nimport { d } from '../src/shell/parse.js';\n",
};

test('the real tree breaks no rule outside the allowlist, and no allowlist entry is stale', () => {
  const { code, out } = check(REPO);
  expect(out).not.toMatch(/^error/m);
  expect(out).toMatch(/^check-imports: ok/m);
  expect(code).toBe(0);
});

test('a clean tree passes: leftward, own-stage, type-only, export-from, dynamic and package imports', () => {
  const { code, out } = check(tree(CLEAN));
  expect(out).toBe('check-imports: ok (0 allowlisted violations left in scripts/import-allowlist.json)\n');
  expect(code).toBe(0);
});

test('a cycle is printed as a path, also when one side is type-only', () => {
  const root = tree({
    ...CLEAN,
    'src/shell/lexer.ts': "import { p } from './parse2.js';\nexport const l = p;\n",
    'src/shell/parse2.ts': "\nimport type { l } from './lexer.js';\nexport const p = 1;\n",
  });
  const { code, out } = check(root);
  expect(out).toContain(
    'error [cycle] src/shell/lexer.ts → src/shell/parse2.ts → src/shell/lexer.ts  [imports at src/shell/lexer.ts:1, src/shell/parse2.ts:2 (type-only)]',
  );
  expect(code).toBe(1);
});

test('a three-module cycle is reported once, as a path from its smallest module', () => {
  const root = tree({
    ...CLEAN,
    'src/kaniko/a.ts': "import './b.js';\n",
    'src/kaniko/b.ts': "import './c.js';\n",
    'src/kaniko/c.ts': "export * from './a.js';\n",
  });
  const { code, out } = check(root);
  expect(out.match(/\[cycle\]/g)).toHaveLength(1);
  expect(out).toContain('[cycle] src/kaniko/a.ts → src/kaniko/b.ts → src/kaniko/c.ts → src/kaniko/a.ts');
  expect(code).toBe(1);
});

test('an import to the right is caught in every form: static, type-only, export-from, dynamic, import type', () => {
  const root = tree({
    ...CLEAN,
    'src/pipeline/load.ts': 'export const load = 1;\nexport type Loaded = number;\n',
    'src/text/static.ts': "import { load } from '../pipeline/load.js';\n",
    'src/text/types.ts': "import type { Loaded } from '../pipeline/load.js';\n",
    'src/text/reexport.ts': "export { load } from '../pipeline/load.js';\n",
    'src/text/lazy.ts': "\n\nexport const f = () => import('../pipeline/load.js');\n",
    'src/text/typeof.ts': "export type T = typeof import('../pipeline/load.js');\n",
    'src/findings/index.ts': "import { run } from '../index.js';\n",
  });
  const { code, out } = check(root);
  for (const line of [
    "error [stage-order] src/text/static.ts:1 → src/pipeline/load.ts: stage 'text' imports 'pipeline', which is to its right",
    "error [stage-order] src/text/types.ts:1 → src/pipeline/load.ts (type-only): stage 'text' imports 'pipeline'",
    "error [stage-order] src/text/reexport.ts:1 → src/pipeline/load.ts: stage 'text' imports 'pipeline'",
    "error [stage-order] src/text/lazy.ts:3 → src/pipeline/load.ts: stage 'text' imports 'pipeline'",
    "error [stage-order] src/text/typeof.ts:1 → src/pipeline/load.ts (type-only): stage 'text' imports 'pipeline'",
    "error [stage-order] src/findings/index.ts:1 → src/index.ts: stage 'findings' imports 'index'",
  ]) {
    expect(out).toContain(line);
  }
  expect(out).toMatch(/^check-imports: 6 violations, 0 stale allowlist entries \(0 allowlisted\)$/m);
  expect(code).toBe(1);
});

test('bench and test never import each other; src imports nothing outside src; every stage has its place', () => {
  const root = tree({
    ...CLEAN,
    'test/bench.test.ts': "import { b } from '../bench/bulk.js';\n",
    'bench/bulk.ts': "import { h } from '../test/helpers.js';\nexport const b = h;\n",
    'src/shell/fixture.ts': "import { h } from '../../test/helpers.js';\n",
    'src/newstage/x.ts': 'export {};\n',
  });
  const { code, out } = check(root);
  expect(out).toContain('error [bench-test] test/bench.test.ts:1 → bench/bulk.ts: test/ never imports bench/');
  expect(out).toContain('error [bench-test] bench/bulk.ts:1 → test/helpers.ts: bench/ never imports test/');
  expect(out).toContain('error [src-outside] src/shell/fixture.ts:1 → test/helpers.ts: src/ imports only src/');
  expect(out).toContain("error [unknown-stage] src/newstage/x.ts: stage 'newstage' is not in STAGES");
  expect(code).toBe(1);
});

test('the allowlist turns a violation into a warning, and fails when an entry no longer happens', () => {
  const files = {
    ...CLEAN,
    'src/text/static.ts': "import { d } from '../shell/parse.js';\n",
  };
  const allow = (entries: object[]) => JSON.stringify({ allow: entries });
  const entry = { rule: 'stage-order', from: 'src/text/static.ts', to: 'src/shell/parse.ts', reason: 'being moved' };

  const listed = check(tree({ ...files, 'scripts/import-allowlist.json': allow([entry]) }));
  expect(listed.out).toContain(
    'warning [stage-order, allowlisted: being moved] src/text/static.ts:1 → src/shell/parse.ts',
  );
  expect(listed.out).toContain('check-imports: ok (1 allowlisted violation left in scripts/import-allowlist.json)');
  expect(listed.code).toBe(0);

  const stale = check(tree({ ...CLEAN, 'scripts/import-allowlist.json': allow([entry]) }));
  expect(stale.out).toContain(
    'error [stale-allowlist] stage-order src/text/static.ts src/shell/parse.ts: no longer happens; delete its entry from scripts/import-allowlist.json',
  );
  expect(stale.code).toBe(1);

  const cycleRoot = tree({
    ...CLEAN,
    'src/shell/a.ts': "import './b.js';\n",
    'src/shell/b.ts': "import './a.js';\n",
    'scripts/import-allowlist.json': allow([
      { rule: 'cycle', cycle: 'src/shell/a.ts → src/shell/b.ts → src/shell/a.ts', reason: 'known' },
    ]),
  });
  expect(check(cycleRoot).code).toBe(0);

  const noReason = check(tree({ ...files, 'scripts/import-allowlist.json': allow([{ ...entry, reason: '' }]) }));
  expect(noReason.out).toContain('needs a one-line "reason"');
  expect(noReason.code).toBe(2);
});
