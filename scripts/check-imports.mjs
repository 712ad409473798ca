// The import rules of the tree (issue 12): no import cycle among the modules of src/; each stage (the first folder
// under src/, `src/index.ts` being the stage `index`) imports only itself or stages to its left in STAGES; src/
// imports nothing outside src/; bench/ and test/ never import each other.
//
// Every import is read with the TypeScript parser: `import` (type-only too), `export … from`, `import x = require()`,
// dynamic `import('…')` and `import('…')` types. Relative specifiers resolve the way NodeNext does (`./x.js` → `x.ts`).
// Package imports are not this script's business.
//
// Known violations live in scripts/import-allowlist.json, each with a one-line reason: they print as warnings. An
// allowlisted violation that no longer happens is an error too (delete its entry), so the list can only shrink.
//
// Usage: node scripts/check-imports.mjs [--root DIR] [--allowlist FILE]
//   --root       the repository to check (default: the one holding this script)
//   --allowlist  default ROOT/scripts/import-allowlist.json; a missing file is an empty list
// Exit 0: no violation outside the allowlist; 1: violations (listed); 2: bad usage or a malformed allowlist.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * The stages, left to right: a module may import its own stage and the stages before it, never one after it.
 * A folder under src/ that is not named here is a violation until it is given its place.
 */
export const STAGES = [
  'findings', // finding types, the code registry and each code's documentation (codes/), merging findings
  'text', // TextEdit: the only way a file changes, applying and checking edits
  'shell', // the POSIX shell reader for script items: lexer, parser, words, quoting (ShellText)
  'pipeline', // reading a pipeline: FileSource on disk, the entry file and its local includes, the job index and effective jobs
  'yaml', // YAML text editing: inside scalars, script items, indentation and lines, partial re-parse for verification
  'typescript', // reading generator sources (ts-morph): job object literals, string and template literals, gcix jobs
  'plan', // BuildPlan: what one buildctl call needs, the vocabulary kaniko/ writes into
  'kaniko', // Kaniko images, reading an executor call, the flag table and planning a call into a BuildPlan
  'buildkit', // rendering a BuildPlan: buildctl words and buildkitd.toml
  'job', // one job's migration: image, variables, registry auth, wrappers, arguments in variables, split templates
  'project', // migrating one pipeline project (migrateSource) and verifying the result before anything is written
  'repository', // one repository run over any file source, YAML and generator sources together (not there yet)
  'report', // the report model and its formats: text, table, JSON, Markdown, Code Quality, diffs
  'bulk', // many repositories on disk: discovery, the worker pool, progress, the bulk report
  'gitlab', // the GitLab REST client, auditing and applying a group's projects, redaction, the GitLab report
  'compare', // `compare IMAGE_A IMAGE_B`: the registry client and its auth, layers, flattened filesystems, the diff and its report (KB7xx)
  'doctor', // explaining a failed BuildKit job log (KB8xx known failures)
  'runner-config', // the AppArmor annotation in a GitLab Runner config.toml or Helm values.yaml
  'cli', // the commander program: argv, output, exit codes and signals, one file per command
  'index', // src/index.ts: the library entry point
];

const SOURCE_EXT = /\.(ts|mts|cts)$/;
const ANY_EXT = /\.(ts|mts|cts|js|mjs|cjs)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage', '.git']);

/** Files under `dir` (repository-relative, `/`-separated, sorted) whose name matches `re`. */
function walk(root, dir, re) {
  const out = [];
  const visit = (abs) => {
    for (const e of readdirSync(abs, { withFileTypes: true })) {
      const p = join(abs, e.name);
      if (e.isDirectory()) {
        if (!SKIP_DIRS.has(e.name)) visit(p);
      } else if (e.isFile() && re.test(e.name) && !/\.d\.[cm]?ts$/.test(e.name)) {
        out.push(relative(root, p).split(sep).join('/'));
      }
    }
  };
  if (existsSync(join(root, dir))) visit(join(root, dir));
  return out.sort();
}

/** Every module specifier a file names, with its line and whether only types come through it. */
export function importsOf(fileName, text) {
  const kind = /\.[cm]?js$/.test(fileName) ? ts.ScriptKind.JS : ts.ScriptKind.TS;
  const sf = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
  const found = [];
  const add = (lit, typeOnly) => {
    if (!lit || !ts.isStringLiteralLike(lit)) return;
    const line = sf.getLineAndCharacterOfPosition(lit.getStart(sf)).line + 1;
    found.push({ specifier: lit.text, line, typeOnly });
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node)) {
      const c = node.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const typeOnly =
        !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(node.moduleSpecifier, typeOnly);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier, node.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

/** The repository-relative file a relative specifier names (NodeNext: `./x.js` is `./x.ts`), or undefined for packages. */
function resolveSpecifier(root, fromFile, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const abs = resolve(root, dirname(fromFile), specifier);
  const ext = extname(abs);
  const base = abs.slice(0, abs.length - ext.length);
  const candidates =
    ext === '.js'
      ? [`${base}.ts`, `${base}.tsx`, abs]
      : ext === '.mjs'
        ? [`${base}.mts`, abs]
        : ext === '.cjs'
          ? [`${base}.cts`, abs]
          : [abs, `${abs}.ts`, `${abs}.js`, join(abs, 'index.ts'), join(abs, 'index.js')];
  const hit = candidates.find((c) => existsSync(c) && !readdirSafe(c)) ?? candidates[0];
  return relative(root, hit).split(sep).join('/');
}
function readdirSafe(p) {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}

/** The stage of a src/ file: its first folder, or the file's own name for a file directly in src/. */
export function stageOf(file) {
  const parts = file.split('/').slice(1);
  return parts.length === 1 ? parts[0].replace(/\.[cm]?ts$/, '') : parts[0];
}

const area = (file) => file.split('/')[0];

/** Tarjan's strongly connected components of `graph` (Map node → Set of nodes). */
function components(graph) {
  const index = new Map();
  const low = new Map();
  const onStack = new Set();
  const stack = [];
  const out = [];
  let next = 0;
  const strong = (v) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      out.push(comp.sort());
    }
  };
  for (const v of [...graph.keys()].sort()) if (!index.has(v)) strong(v);
  return out;
}

const MAX_CYCLES_PER_COMPONENT = 200;

/**
 * The elementary cycles inside one strongly connected component, each starting at its smallest module (so a cycle
 * has one spelling), shortest first. Bounded: a tangle bigger than that is reported as a tangle as well.
 */
function cyclesIn(comp, graph) {
  const members = new Set(comp);
  const cycles = [];
  let truncated = false;
  for (const start of comp) {
    const path = [start];
    const onPath = new Set(path);
    const dfs = (v) => {
      for (const w of [...(graph.get(v) ?? [])].sort()) {
        if (!members.has(w) || w < start) continue;
        if (w === start) {
          if (cycles.length >= MAX_CYCLES_PER_COMPONENT) return void (truncated = true);
          cycles.push([...path, start]);
        } else if (!onPath.has(w)) {
          path.push(w);
          onPath.add(w);
          dfs(w);
          path.pop();
          onPath.delete(w);
        }
        if (truncated) return;
      }
    };
    dfs(start);
    if (truncated) break;
  }
  cycles.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
  return { cycles, truncated };
}

/** Every violation of the tree at `root`, each with a `key` the allowlist names it by. */
export function findViolations(root) {
  const srcFiles = walk(root, 'src', SOURCE_EXT);
  const otherFiles = [...walk(root, 'test', ANY_EXT), ...walk(root, 'bench', ANY_EXT)];
  const violations = [];
  const graph = new Map(srcFiles.map((f) => [f, new Set()]));
  const edgeAt = new Map(); // "from\0to" → first import line and whether every import of the pair is type-only
  const rank = new Map(STAGES.map((s, i) => [s, i]));

  const unknown = new Map();
  for (const f of srcFiles) {
    const s = stageOf(f);
    if (!rank.has(s) && !unknown.has(s)) unknown.set(s, f);
  }
  for (const [s, f] of unknown) {
    violations.push({
      rule: 'unknown-stage',
      key: `unknown-stage ${s}`,
      entry: { rule: 'unknown-stage', stage: s },
      text: `${f}: stage '${s}' is not in STAGES (scripts/check-imports.mjs): give it its place in the order`,
    });
  }

  for (const from of [...srcFiles, ...otherFiles]) {
    const imports = importsOf(from, readFileSync(join(root, from), 'utf8'));
    for (const { specifier, line, typeOnly } of imports) {
      const to = resolveSpecifier(root, from, specifier);
      if (to === undefined || to === from) continue;
      const a = area(from);
      const b = area(to);
      const where = `${from}:${line} → ${to}${typeOnly ? ' (type-only)' : ''}`;
      if (a === 'src') {
        if (b !== 'src') {
          violations.push({
            rule: 'src-outside',
            key: `src-outside ${from} ${to}`,
            entry: { rule: 'src-outside', from, to },
            text: `${where}: src/ imports only src/`,
          });
          continue;
        }
        if (graph.has(to)) {
          graph.get(from).add(to);
          const k = `${from}\0${to}`;
          const seen = edgeAt.get(k);
          edgeAt.set(k, seen ? { line: seen.line, typeOnly: seen.typeOnly && typeOnly } : { line, typeOnly });
        }
        const sa = stageOf(from);
        const sb = stageOf(to);
        if (rank.has(sa) && rank.has(sb) && rank.get(sb) > rank.get(sa)) {
          const key = `stage-order ${from} ${to}`;
          if (!violations.some((v) => v.key === key)) {
            violations.push({
              rule: 'stage-order',
              key,
              entry: { rule: 'stage-order', from, to },
              text: `${where}: stage '${sa}' imports '${sb}', which is to its right`,
            });
          }
        }
      } else if ((a === 'test' && b === 'bench') || (a === 'bench' && b === 'test')) {
        const key = `bench-test ${from} ${to}`;
        if (!violations.some((v) => v.key === key)) {
          violations.push({
            rule: 'bench-test',
            key,
            entry: { rule: 'bench-test', from, to },
            text: `${where}: ${a}/ never imports ${b}/`,
          });
        }
      }
    }
  }

  for (const comp of components(graph)) {
    const selfLoop = comp.length === 1 && graph.get(comp[0]).has(comp[0]);
    if (comp.length < 2 && !selfLoop) continue;
    const { cycles, truncated } = cyclesIn(comp, graph);
    for (const c of cycles) {
      const cycle = c.join(' → ');
      const steps = c
        .slice(0, -1)
        .map((f, i) => {
          const e = edgeAt.get(`${f}\0${c[i + 1]}`);
          return `${f}:${e.line}${e.typeOnly ? ' (type-only)' : ''}`;
        })
        .join(', ');
      violations.push({
        rule: 'cycle',
        key: `cycle ${cycle}`,
        entry: { rule: 'cycle', cycle },
        text: `${cycle}  [imports at ${steps}]`,
      });
    }
    if (truncated) {
      violations.push({
        rule: 'cycle',
        key: `tangle ${comp.join(' ')}`,
        entry: { rule: 'cycle', cycle: `tangle of ${comp.length}: ${comp.join(', ')}` },
        text: `more than ${MAX_CYCLES_PER_COMPONENT} cycles among ${comp.length} modules: ${comp.join(', ')}`,
      });
    }
  }
  return violations;
}

/** The allowlist's key for an entry, as findViolations spells it. */
function keyOf(entry) {
  switch (entry.rule) {
    case 'cycle':
      return entry.cycle?.startsWith('tangle of ')
        ? `tangle ${entry.cycle
            .replace(/^tangle of \d+: /, '')
            .split(', ')
            .join(' ')}`
        : `cycle ${entry.cycle}`;
    case 'unknown-stage':
      return `unknown-stage ${entry.stage}`;
    case 'stage-order':
    case 'bench-test':
    case 'src-outside':
      return `${entry.rule} ${entry.from} ${entry.to}`;
    default:
      return undefined;
  }
}

export function readAllowlist(file) {
  if (!existsSync(file)) return [];
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const entries = Array.isArray(data) ? data : data.allow;
  if (!Array.isArray(entries)) throw new Error(`${file}: expected { "allow": [ … ] }`);
  const seen = new Set();
  return entries.map((entry, i) => {
    const key = keyOf(entry);
    if (!key) throw new Error(`${file}: entry ${i + 1}: unknown rule ${JSON.stringify(entry.rule)}`);
    if (typeof entry.reason !== 'string' || !entry.reason.trim() || entry.reason.includes('\n'))
      throw new Error(`${file}: entry ${i + 1} (${key}): needs a one-line "reason"`);
    if (seen.has(key)) throw new Error(`${file}: entry ${i + 1}: ${key} is listed twice`);
    seen.add(key);
    return { key, entry };
  });
}

/** Checks the tree; returns the exit code and the lines to print. */
export function check(root, allowlistFile) {
  const violations = findViolations(root);
  const allow = readAllowlist(allowlistFile);
  const allowed = new Map(allow.map((a) => [a.key, a.entry]));
  const found = new Set(violations.map((v) => v.key));
  const errors = violations.filter((v) => !allowed.has(v.key));
  const warnings = violations.filter((v) => allowed.has(v.key));
  const stale = allow.filter((a) => !found.has(a.key));
  const rel = relative(root, allowlistFile).split(sep).join('/');
  const out = [];
  for (const v of warnings) out.push(`warning [${v.rule}, allowlisted: ${allowed.get(v.key).reason}] ${v.text}`);
  for (const v of errors) out.push(`error [${v.rule}] ${v.text}`);
  for (const s of stale) out.push(`error [stale-allowlist] ${s.key}: no longer happens; delete its entry from ${rel}`);
  const bad = errors.length + stale.length;
  out.push(
    bad === 0
      ? `check-imports: ok (${warnings.length} allowlisted violation${warnings.length === 1 ? '' : 's'} left in ${rel})`
      : `check-imports: ${errors.length} violation${errors.length === 1 ? '' : 's'}, ${stale.length} stale allowlist entr${stale.length === 1 ? 'y' : 'ies'} (${warnings.length} allowlisted)`,
  );
  return { code: bad === 0 ? 0 : 1, lines: out, violations, errors, warnings, stale };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  let allowlist;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--root' && args[i + 1]) root = resolve(args[++i]);
    else if (args[i] === '--allowlist' && args[i + 1]) allowlist = resolve(args[++i]);
    else {
      console.error(`usage: node scripts/check-imports.mjs [--root DIR] [--allowlist FILE]  (unknown: ${args[i]})`);
      process.exit(2);
    }
  }
  allowlist ??= join(root, 'scripts', 'import-allowlist.json');
  try {
    const { code, lines } = check(root, allowlist);
    for (const l of lines) (code === 0 ? console.log : console.error)(l);
    process.exitCode = code;
  } catch (e) {
    console.error(`check-imports: ${e instanceof Error ? e.message : e}`);
    process.exitCode = 2;
  }
}
