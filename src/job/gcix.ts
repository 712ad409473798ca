/**
 * `new KanikoExecute({…})` of the gcix library: the job's script exists only when the generator runs, so nothing is
 * edited. The finding (KB503) gives the exact code to write instead: a plain gcix `Job` with the BuildKit image, the
 * registry config written to ~/.docker, BUILDKITD_FLAGS, and the buildctl call planned by the same flag table from the
 * Kaniko call KanikoExecute would render (gcix src/container/kaniko-jobs.ts, `render()`), its settings as placeholders.
 */
import { posix } from 'node:path';
import type * as TM from 'ts-morph';
import { finding } from '../findings/finding.js';
import { severityOf } from '../findings/registry.js';
import type { Finding } from '../findings/types.js';
import type { PlanEnv } from '../kaniko/context.js';
import { buildkitImageFor } from '../kaniko/images.js';
import { unsetDockerAuthConfig } from './auth.js';
import { migrateScriptText } from './script.js';
import { BUILDKITD_FLAGS, NO_PROCESS_SANDBOX } from './variables.js';
import type { Ast } from '../typescript/ast.js';
import { encodeText, literalSource, markerText, showMarkers, type Placeholder } from '../typescript/literal.js';
import { checkMarkers } from '../typescript/placeholders.js';

/** The image KanikoExecute uses (gcix PredefinedImages.KANIKO). */
export const GCIX_KANIKO_IMAGE = 'gcr.io/kaniko-project/executor:debug';
const PREFIX = '__K2B_';
const KNOWN_PROPS = new Set([
  'context',
  'imageName',
  'imageTag',
  'registries',
  'tarPath',
  'buildArgs',
  'buildTarget',
  'dockerfile',
  'enablePush',
  'dockerClientConfig',
  'verbosity',
  'jobName',
  'jobStage',
]);

/** `@gcix/gcix`, `gcix`, or a path with a `gcix` folder or file (a vendored copy, a local stand-in). */
export function isGcixModule(spec: string): boolean {
  if (/^@gcix\//.test(spec)) return true;
  return spec.split('/').some((part) => part.replace(/\.(?:[cm]?[jt]s|tsx?)$/, '') === 'gcix');
}

interface GcixImports {
  spec: string;
  /** local name → gcix export name */
  names: Map<string, string>;
  namespaces: Set<string>;
}

function gcixImports(ast: Ast, sf: TM.SourceFile): GcixImports | undefined {
  let found: GcixImports | undefined;
  for (const imp of sf.getImportDeclarations()) {
    const spec = imp.getModuleSpecifierValue();
    if (!isGcixModule(spec)) continue;
    found ??= { spec, names: new Map(), namespaces: new Set() };
    for (const n of imp.getNamedImports()) found.names.set(n.getAliasNode()?.getText() ?? n.getName(), n.getName());
    const ns = imp.getNamespaceImport();
    if (ns) found.namespaces.add(ns.getText());
  }
  return found;
}

/** A BuildKit job class the project already has (its own class, or one imported from gcix). */
export function findBuildkitClass(
  ast: Ast,
  files: TM.SourceFile[],
): { name: string; file: string; line: number } | undefined {
  for (const sf of files) {
    for (const cls of sf.getDescendantsOfKind(ast.tm.SyntaxKind.ClassDeclaration)) {
      const name = cls.getName();
      const base = cls.getExtends()?.getExpression().getText() ?? '';
      if (name && /buildkit/i.test(name) && (/Job$/.test(base) || /(?:Job|Execute|Build)$/.test(name)))
        return { name, file: ast.pathOf(sf), line: cls.getStartLineNumber() };
    }
    const imports = gcixImports(ast, sf);
    for (const [local, name] of imports?.names ?? []) {
      if (/buildkit/i.test(name)) return { name: local, file: ast.pathOf(sf), line: 1 };
    }
  }
  return undefined;
}

export function kanikoExecuteFindings(
  ast: Ast,
  files: TM.SourceFile[],
  opts: { env: PlanEnv; buildkitImage?: string },
): Finding[] {
  const { Node, SyntaxKind } = ast.tm;
  const out: Finding[] = [];
  let buildkitClass: ReturnType<typeof findBuildkitClass> | null = null;
  for (const sf of files) {
    const imports = gcixImports(ast, sf);
    if (!imports) continue;
    for (const ne of sf.getDescendantsOfKind(SyntaxKind.NewExpression)) {
      const callee = ne.getExpression();
      const isKaniko =
        (Node.isIdentifier(callee) && imports.names.get(callee.getText()) === 'KanikoExecute') ||
        (Node.isPropertyAccessExpression(callee) &&
          callee.getName() === 'KanikoExecute' &&
          imports.namespaces.has(callee.getExpression().getText()));
      if (!isKaniko) continue;
      buildkitClass ??= findBuildkitClass(ast, files) ?? undefined;
      const { line, column } = ast.position(sf, ne.getStart());
      const where = { file: ast.pathOf(sf), line, column };
      if (buildkitClass) {
        out.push(
          finding(
            'KB503',
            `new KanikoExecute(…) (gcix) renders a Kaniko job when the generator runs; this project already has a BuildKit job class, ${buildkitClass.name} (${buildkitClass.file}:${buildkitClass.line}): use it here with the same settings`,
            where,
          ),
        );
        continue;
      }
      const r = replacement(ast, ne, imports, opts);
      if ('code' in r) {
        const need = ['Job', 'Image', ...r.needs].filter((n) => ![...imports.names.values()].includes(n));
        const namespace = [...imports.namespaces][0];
        const importLine =
          need.length && !namespace ? `\n(add ${need.join(', ')} to the import from '${imports.spec}')` : '';
        out.push(
          finding(
            'KB503',
            `new KanikoExecute(…) (gcix) renders a Kaniko job when the generator runs; write this instead:\n${r.code}${importLine}${r.notes.length ? `\n${r.notes.join('\n')}` : ''}`,
            where,
          ),
        );
      } else {
        out.push(
          finding(
            'KB503',
            `new KanikoExecute(…) (gcix) renders a Kaniko job when the generator runs, and ${r.why}, so no exact replacement can be written; ` +
              `replace it with a gcix Job using new Image({ name: 'moby/buildkit:rootless', entrypoint: [''] }), variables { ${BUILDKITD_FLAGS}: '${NO_PROCESS_SANDBOX}' }, ` +
              `the registry config written to ~/.docker/config.json, and a buildctl-daemonless.sh build call (\`kaniko2buildkit explain KB301\` lists the flag mapping)`,
            where,
          ),
        );
      }
    }
  }
  return out;
}

interface Replacement {
  code: string;
  /** gcix names the code uses besides Job and Image. */
  needs: string[];
  notes: string[];
}

function replacement(
  ast: Ast,
  ne: TM.NewExpression,
  imports: GcixImports,
  opts: { env: PlanEnv; buildkitImage?: string },
): Replacement | { why: string } {
  const { Node, SyntaxKind } = ast.tm;
  const arg = ne.getArguments()[0];
  const obj = arg && ast.objectOf(arg);
  if (!obj) return { why: 'its settings are not an object literal here' };
  const props = new Map<string, TM.Node>();
  for (const p of obj.getProperties()) {
    const name = ast.propName(p);
    if (name === undefined || !KNOWN_PROPS.has(name))
      return { why: `the setting ${p.getText().slice(0, 40)} is not one this tool reads` };
    props.set(
      name,
      Node.isShorthandPropertyAssignment(p)
        ? p.getNameNode()
        : ast.unwrap((p as TM.PropertyAssignment).getInitializerOrThrow()),
    );
  }
  if (props.has('tarPath'))
    return { why: 'it writes a tarball (tarPath), whose path gcix computes at generation time' };
  const q = ast.preferredQuote(ne.getSourceFile());
  const str = (s: string) => `${q}${encodeText(s, q, false)}${q}`;
  const local = (name: string) => {
    for (const [l, n] of imports.names) if (n === name) return l;
    const ns = [...imports.namespaces][0];
    return ns ? `${ns}.${name}` : name;
  };
  const placeholders: Placeholder[] = [];
  const literalValue = (n: TM.Node): string | undefined => {
    const u = ast.unwrap(n);
    if (Node.isStringLiteral(u) || Node.isNoSubstitutionTemplateLiteral(u)) return u.getLiteralValue();
    return undefined;
  };
  /** Shell text for a setting: a literal's value as gcix pastes it, else a placeholder. */
  const value = (n: TM.Node | undefined, fallbackExpr?: string): string => {
    if (!n) {
      placeholders.push({ exprText: fallbackExpr!, rawStart: 0, rawEnd: 0, pure: true });
      return markerText(PREFIX, placeholders.length - 1);
    }
    const lit = literalValue(n);
    if (lit !== undefined) return lit;
    placeholders.push({ exprText: n.getText(), rawStart: 0, rawEnd: 0, pure: ast.isPure(n) });
    return markerText(PREFIX, placeholders.length - 1);
  };
  const notes: string[] = [];
  const ctxNode = props.get('context');
  const ctxLit = ctxNode && literalValue(ctxNode);
  const context =
    ctxLit !== undefined ? posix.normalize(ctxLit) : value(ctxNode, `${local('PredefinedVariables')}.ciProjectDir`);
  if (ctxNode && ctxLit === undefined)
    notes.push('(KanikoExecute passed the context through path.normalize; the code above uses it as given)');
  const dockerfile = props.has('dockerfile')
    ? value(props.get('dockerfile'))
    : `${value(undefined, `${local('PredefinedVariables')}.ciProjectDir`)}/Dockerfile`;
  const verbosity = props.has('verbosity') ? value(props.get('verbosity')) : 'info';
  const pushNode = props.get('enablePush');
  let push = false;
  if (pushNode) {
    if (pushNode.getKind() === SyntaxKind.TrueKeyword) push = true;
    else if (pushNode.getKind() !== SyntaxKind.FalseKeyword) return { why: 'enablePush is not true or false here' };
  }
  const words: string[] = [
    'executor',
    `--context ${context}`,
    `--dockerfile ${dockerfile}`,
    `--verbosity ${verbosity}`,
  ];
  if (!push) words.push('--no-push');
  let postfix = '';
  if (props.has('buildTarget')) {
    const t = value(props.get('buildTarget'));
    words.push(`--target ${t}`);
    postfix = `-${t}`;
  }
  const argsNode = props.get('buildArgs');
  if (argsNode) {
    const args = ast.objectOf(argsNode);
    if (!args) return { why: 'buildArgs is not an object literal here' };
    for (const p of args.getProperties()) {
      const k = ast.propName(p);
      if (k === undefined || !Node.isPropertyAssignment(p))
        return { why: 'buildArgs holds an entry this tool cannot read' };
      words.push(`--build-arg "${k}=${value(p.getInitializerOrThrow())}"`);
    }
  }
  const imageName = value(props.get('imageName'), `${local('PredefinedVariables')}.ciProjectName`);
  const tagNode = props.get('imageTag');
  const tagLit = tagNode && literalValue(tagNode);
  const tagExpr = tagNode
    ? tagNode.getText()
    : `${local('PredefinedVariables')}.ciCommitTag || ${local('PredefinedVariables')}.ciCommitRefSlug`;
  const tag = tagLit ?? value(tagNode, tagExpr);
  let registries: string[] | undefined;
  const regNode = props.get('registries');
  if (regNode) {
    const u = ast.unwrap(regNode);
    if (!Node.isArrayLiteralExpression(u)) return { why: 'registries is not an array literal here' };
    registries = u.getElements().map((e) => value(e));
  }
  const destinations = (latest: boolean) => {
    const out: string[] = [];
    for (const r of registries?.length ? registries : [undefined]) {
      const repo = r === undefined ? imageName : `${r}/${imageName}`;
      out.push(`--destination ${repo}:${tag}${postfix}`);
      if (latest) out.push(`--destination ${repo}:latest${postfix}`);
    }
    return out;
  };
  const callFor = (latest: boolean): string | { why: string } => {
    const cooked = [...words, ...destinations(latest)].join(' ');
    const r = migrateScriptText(cooked, {
      fileExists: (p) => (p.includes(PREFIX) ? undefined : opts.env.fileExists(p)),
    });
    const model = { prefix: PREFIX, placeholders, quote: '`', rawNewlines: false };
    if (r.manual || !r.calls) {
      const f = r.findings.find((x) => severityOf(x.code) === 'manual');
      return { why: `its Kaniko call cannot be migrated${f ? ` (${f.code}: ${showMarkers(model, f.message)})` : ''}` };
    }
    const check = checkMarkers(
      { ...model, cooked, file: '', kind: 'template', start: 0, end: 0, contentStart: 0, contentEnd: 0, spans: [] },
      r.output,
    );
    if (!check.ok) return { why: check.reason! };
    return placeholders.length ? literalSource(model, r.output) : str(r.output);
  };
  let call: string;
  if (tagLit !== undefined) {
    const c = callFor(['main', 'master'].includes(tagLit));
    if (typeof c !== 'string') return c;
    call = c;
  } else {
    // the tag is known only when the generator runs: both forms, chosen as KanikoExecute chose (latest for main/master)
    const a = callFor(true);
    const b = callFor(false);
    if (typeof a !== 'string') return a;
    if (typeof b !== 'string') return b;
    call = `[${str('main')}, ${str('master')}].includes(${tagExpr}) ? ${a} : ${b}`;
  }
  const cfgNode = props.get('dockerClientConfig');
  const needs = ['DockerClientConfig'];
  let cfg: string;
  if (cfgNode) {
    cfg = `Object.assign(${cfgNode.getText()}, { configFilePath: ${str('~/.docker/config.json')} })`;
    needs.length = 0;
    if (/addCredHelper|assignCredsStore|credHelpers|credsStore/.test(cfgNode.getText())) {
      notes.push(
        '(the registry config names credential helpers, which the BuildKit image does not have: write the credentials with addAuth instead)',
      );
    }
  } else {
    cfg = `new ${local('DockerClientConfig')}({ configFilePath: ${str('~/.docker/config.json')} }).addAuth(${local('Registry')}.DOCKER)`;
    needs.push('Registry');
  }
  if (!props.has('imageName') || !props.has('context') || !props.has('dockerfile') || !tagNode)
    needs.push('PredefinedVariables');
  const image = buildkitImageFor(GCIX_KANIKO_IMAGE, opts.buildkitImage);
  const name = props.get('jobName')?.getText() ?? str('kaniko');
  const stage = props.get('jobStage')?.getText() ?? str('build');
  const code = [
    `new ${local('Job')}({`,
    `  name: ${name},`,
    `  stage: ${stage},`,
    `  image: new ${local('Image')}({ name: ${str(image)}, entrypoint: [${q}${q}] }),`,
    `  variables: { ${BUILDKITD_FLAGS}: ${str(NO_PROCESS_SANDBOX)} },`,
    `  scripts: [`,
    `    ...${cfg}.shellCommand(),`,
    // the config is written just above: it must win over DOCKER_AUTH_CONFIG, as in the YAML path's job (KB411)
    `    ${str(unsetDockerAuthConfig(true))},`,
    `    ${call},`,
    `  ],`,
    `})`,
  ].join('\n');
  return { code, needs, notes };
}
