/**
 * One pass over the generator sources: job objects, then string and template literals holding executor calls outside
 * them, then gcix `KanikoExecute` jobs. Returns the edits (offsets into the given texts) and findings; writes nothing.
 */
import { append } from '../text/append.js';
import type * as TM from 'ts-morph';
import { finding } from '../findings/finding.js';
import { messages } from '../findings/registry.js';
import { mergeFindings } from '../findings/merge.js';
import type { Finding } from '../findings/types.js';
import type { PlanEnv } from '../kaniko/context.js';
import { executorIndex } from '../kaniko/call.js';
import { dedupe, overlaps, type TextEdit } from '../text/edits.js';
import { acceptEdits, readersOf, type SharingTerms } from './sharing.js';
import { CacheRefs, type CacheJob } from '../kaniko/cache-refs.js';
import type { CacheUse } from '../kaniko/types.js';
import type { JobResult } from './plan.js';
import { migrateScriptText } from '../job/script.js';
import { parseScript } from '../shell/index.js';
import { Ast, type StringLike, type TsMorph } from '../typescript/ast.js';
import { kanikoExecuteFindings } from '../job/gcix.js';
import { leaveUnchanged } from '../job/recipe.js';
import { analyseJob, emptyPlan, type JobPlan } from '../job/typescript-job.js';
import { jobName, SCRIPT_KEYS } from '../typescript/job-object.js';
import { literalEdits, showMarkers, sourceOffsetOf } from '../typescript/literal.js';
import { checkMarkers } from '../typescript/placeholders.js';

export interface RunOptions {
  env: PlanEnv;
  buildkitImage?: string;
}

export interface RunResult {
  edits: TextEdit[];
  findings: Finding[];
  jobs: JobResult[];
}

/** The sources as ts-morph source files (a byte-order mark is not part of the text ts-morph keeps: `bom` lists those files). */
export function createProject(
  tm: TsMorph,
  texts: Map<string, string>,
): { project: TM.Project; files: TM.SourceFile[]; bom: Set<string> } {
  const project = new tm.Project({
    useInMemoryFileSystem: true,
    compilerOptions: {
      allowJs: true,
      noLib: true,
      types: [],
      noEmit: true,
      target: tm.ts.ScriptTarget.ES2022,
      module: tm.ts.ModuleKind.ESNext,
      moduleResolution: tm.ts.ModuleResolutionKind.Bundler,
    },
  });
  const bom = new Set<string>();
  const files = [...texts].map(([path, text]) => {
    if (text.startsWith('\uFEFF')) bom.add(path);
    return project.createSourceFile(`/${path}`, text.replace(/^\uFEFF/, ''), { overwrite: true });
  });
  return { project, files, bom };
}

/**
 * Every job object of the sources through the job recipe (typescript-job.ts is its host), with the pipeline-wide
 * decisions a YAML pipeline makes too: registry cache refs for builds that share a cache repository.
 */
export function planJobObjects(ast: Ast, files: TM.SourceFile[], opts: RunOptions): JobPlan[] {
  const { Node } = ast.tm;
  const objects: TM.ObjectLiteralExpression[] = [];
  for (const sf of files) {
    if (!/\b(?:image|script|before_script|scripts)\b/.test(sf.getFullText())) continue;
    sf.forEachDescendant((n) => {
      if (Node.isObjectLiteralExpression(n) && isJobLike(ast, n)) objects.push(n);
    });
  }
  const spreadSources = new Set<TM.Node>();
  for (const o of objects) {
    for (const p of o.getProperties()) {
      if (!Node.isSpreadAssignment(p)) continue;
      const src = ast.objectOf(p.getExpression());
      if (src) spreadSources.add(src);
    }
  }
  // As in a YAML pipeline (project/plan.ts): every call's registry cache is recorded while its job is planned; builds
  // sharing a cache repository then get a ref each, and those jobs are planned again with it.
  const caches = new CacheRefs();
  const nameOf = (o: TM.ObjectLiteralExpression) => jobName(ast, o) ?? ast.key(o);
  const analyse = (o: TM.ObjectLiteralExpression): JobPlan => {
    const env = { ...opts.env, cacheRef: (use: CacheUse) => caches.ask(nameOf(o), use) };
    try {
      return analyseJob({ ast, env, buildkitImage: opts.buildkitImage, spreadSources }, o);
    } catch (e) {
      // code this tool does not understand must not stop the run: that object is left for a person
      const plan = emptyPlan(ast, o);
      plan.kaniko = true;
      o.forEachDescendant((d) => void plan.claimed.add(d));
      markManual(
        plan,
        'KB209',
        `this job object could not be read (${(e as Error).message.split('\n')[0]}); migrate it by hand`,
      );
      return plan;
    }
  };
  const plans = objects.map(analyse);
  const writers = new Map<string, CacheJob>();
  plans.forEach((plan, i) => {
    if (plan.kaniko && !plan.manual)
      writers.set(nameOf(objects[i]!), { parallel: !!ast.lookup(objects[i]!, 'parallel') });
  });
  const recached = caches.settle(writers);
  plans.forEach((_, i) => {
    if (recached.has(nameOf(objects[i]!))) plans[i] = analyse(objects[i]!);
  });
  return plans;
}

export function runOnce(tm: TsMorph, texts: Map<string, string>, opts: RunOptions): RunResult {
  const { files, bom } = createProject(tm, texts);
  const ast = new Ast(tm, (sf) => sf.getFilePath().replace(/^\//, ''));
  const { Node } = tm;

  const plans = planJobObjects(ast, files, opts);
  const accepted = dedupe(acceptEdits(plans, readersOf(plans), GENERATOR_SHARING));
  const findings: Finding[] = plans.flatMap((p) => p.findings);
  const claimed = new Set<TM.Node>(plans.flatMap((p) => [...p.claimed]));

  // --- literals outside job objects --------------------------------------------------------------------------------------
  for (const sf of files) {
    if (!sf.getFullText().includes('executor')) continue;
    sf.forEachDescendant((n) => {
      try {
        standalone(n);
      } catch (e) {
        const { line, column } = ast.position(sf, n.getStart());
        findings.push(
          finding(
            'KB209',
            `this literal could not be read (${(e as Error).message.split('\n')[0]}); migrate it by hand`,
            { file: ast.pathOf(sf), line, column },
          ),
        );
      }
    });
    function standalone(n: TM.Node): void {
      const isLiteral =
        Node.isStringLiteral(n) || Node.isNoSubstitutionTemplateLiteral(n) || Node.isTemplateExpression(n);
      if (!isLiteral || claimed.has(n) || !n.getText().includes('executor') || notScript(tm, n)) return;
      const tagged = Node.isTaggedTemplateExpression(n.getParent());
      const model = tagged ? undefined : ast.model(n as StringLike);
      const cooked =
        model?.cooked ??
        (Node.isTemplateExpression(n) ? n.getText().slice(1, -1) : (n as TM.StringLiteral).getLiteralValue());
      const parsed = parseScript(cooked);
      const head = parsed.commands.find((c) => executorIndex(c) >= 0);
      if (!head) return;
      const { line, column } = ast.position(sf, n.getStart());
      const at = { file: ast.pathOf(sf), line, column };
      const pieces = builtFromPieces(ast, n);
      if (tagged || pieces) {
        findings.push(
          finding(
            'KB504',
            `this executor call is ${tagged ? 'a tagged template' : pieces}, so no single literal holds the whole call; write it as one string or template literal, then run again`,
            { ...at },
          ),
        );
        return;
      }
      if (!model) {
        findings.push(
          finding(
            'KB209',
            'this literal uses an escape sequence this tool does not rewrite in place; migrate the call by hand',
            { ...at },
          ),
        );
        return;
      }
      const r = migrateScriptText(model.cooked, opts.env);
      for (const f of r.findings) {
        const p = ast.position(sf, sourceOffsetOf(model, f.offset ?? head.start));
        findings.push(finding(f.code, showMarkers(model, f.message), { file: at.file, ...p }));
      }
      if (r.manual || r.output === model.cooked) return;
      const check = checkMarkers(model, r.output);
      if (!check.ok) {
        findings.push(finding('KB502', `${check.reason}; the literal is left unchanged`, { ...at }));
        return;
      }
      const edits = literalEdits(model, r.output);
      if (edits.some((e) => accepted.some((a) => overlaps(a, e)))) return;
      append(accepted, edits);
      const name = jobName(ast, n);
      findings.push(
        finding(
          'KB501',
          `executor call${r.calls > 1 ? 's' : ''} migrated in a literal that is not the script of a job object this tool can read${name ? ` (${name})` : ''}: make sure the job running it uses moby/buildkit:rootless with entrypoint [''] and BUILDKITD_FLAGS=--oci-worker-no-process-sandbox`,
          at,
        ),
      );
    }
  }

  // --- gcix KanikoExecute -----------------------------------------------------------------------------------------------
  append(findings, kanikoExecuteFindings(ast, files, opts));

  const jobs: JobResult[] = plans
    .filter((p) => p.kaniko && !p.template)
    .map((p) => ({
      name: p.name ?? `(job object at ${p.file}:${ast.position(p.node.getSourceFile(), p.node.getStart()).line})`,
      file: p.file,
      status: p.manual ? 'manual' : p.edits.length ? 'migrated' : 'unchanged',
      calls: p.calls,
      flags: p.flags,
    }));
  // offsets are into the text without its byte-order mark: shift them back onto the file
  const edits = accepted.map((e) => (bom.has(e.file) ? { ...e, start: e.start + 1, end: e.end + 1 } : e));
  return { edits, findings: mergeFindings(findings), jobs };
}

/** An object literal that is a CI job (or a piece of one): it sets `image`, `script` or `before_script` (gcix: `scripts`). */
function isJobLike(ast: Ast, obj: TM.ObjectLiteralExpression): boolean {
  for (const key of ['image', ...SCRIPT_KEYS]) {
    const hit = ast.lookup(obj, key);
    if (!hit?.prop) continue;
    if (key !== 'scripts') return true;
    const v = ast.unwrap(hit.value);
    if (ast.tm.Node.isArrayLiteralExpression(v) || ast.tm.Node.isCallExpression(v)) return true;
  }
  return false;
}

/** Literals that are no shell text: module names, property names, types. */
function notScript(tm: TsMorph, n: TM.Node): boolean {
  const { Node } = tm;
  const p = n.getParent();
  if (!p) return true;
  if (
    Node.isImportDeclaration(p) ||
    Node.isExportDeclaration(p) ||
    Node.isLiteralTypeNode(p) ||
    Node.isExternalModuleReference(p) ||
    Node.isModuleDeclaration(p)
  )
    return true;
  if (
    (Node.isPropertyAssignment(p) ||
      Node.isPropertySignature(p) ||
      Node.isEnumMember(p) ||
      Node.isMethodDeclaration(p) ||
      Node.isPropertyDeclaration(p)) &&
    p.getNameNode() === n
  )
    return true;
  if (Node.isCallExpression(p) && ['require', 'import'].includes(p.getExpression().getText())) return true;
  return false;
}

/** Why a literal holding a call is only a piece of it: `'…' + x`, or a word of an array joined into a command. */
function builtFromPieces(ast: Ast, n: TM.Node): string | undefined {
  const { Node, SyntaxKind } = ast.tm;
  let p = n.getParent();
  while (p && Node.isParenthesizedExpression(p)) p = p.getParent();
  if (
    p &&
    Node.isBinaryExpression(p) &&
    [SyntaxKind.PlusToken, SyntaxKind.PlusEqualsToken].includes(p.getOperatorToken().getKind())
  )
    return 'concatenated with `+`';
  if (p && Node.isArrayLiteralExpression(p)) {
    const siblings = p.getElements().filter((e) => e !== n);
    const flagWord = siblings.some((e) => /^['"`]\s*--?[A-Za-z]/.test(e.getText()));
    const joined = (() => {
      const up = p.getParent();
      return !!up && Node.isPropertyAccessExpression(up) && up.getName() === 'join';
    })();
    if (joined || flagWord) return 'one word of an array of command words';
  }
  return undefined;
}

function markManual(plan: JobPlan, code: 'KB202' | 'KB209' | 'KB211', message: string): void {
  plan.manual = true;
  plan.edits = [];
  const { line, column } = plan.node.getSourceFile().getLineAndColumnAtPos(plan.node.getStart());
  plan.findings.push(
    finding(code, message, { file: plan.file, line, column, ...(plan.name ? { job: plan.name } : {}) }),
  );
  leaveUnchanged(plan, plan.name);
}

/** How a generator run names shared code in KB202 and KB211. */
const GENERATOR_SHARING: SharingTerms<JobPlan> = {
  shared: (key, other) =>
    `shares ${key.split('#')[0]} code (a constant or spread object) with the job object ${other.name ? `"${other.name}"` : `at ${other.file}`}, which ${other.kaniko ? 'is left for a person' : 'does not build with Kaniko'}; split it or migrate both by hand`,
  overlap: messages('KB211').otherJob({
    other: 'job object',
    same: 'code',
    cause: 'a shared constant or spread object used in an unusual way',
  }),
  markManual,
};
