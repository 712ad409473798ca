/**
 * THE flag table: one entry per Kaniko executor flag (v1.24.0, plus the chainguard and osscontainertools forks),
 * with every spelling, its value kind, and what it becomes in BuildKit. Adding a flag is adding an entry here.
 *
 * Entries run in table order against one call, so an entry may read what earlier entries decided
 * (the context before the Dockerfile, destinations before the cache). Source of every fact: ../shared/reference §1–§3.
 */
import { concat, displayText, lit, renderWord, splitLast, staticText, type ShellText } from '../shell/quote.js';
import { field } from '../buildkit/plan.js';
import type { FlagUse } from './call.js';
import type { CallContext } from './context.js';

export type FlagKind = 'string' | 'bool' | 'list';

export type FlagAction =
  /** Mapped onto the BuildKit call by `apply`. */
  | { action: 'map'; apply: (ctx: CallContext, uses: FlagUse[]) => void }
  /** Removed: BuildKit already behaves so, or the flag only concerns Kaniko internals. Finding `code` (info). */
  | { action: 'drop'; code: string; reason: string }
  /** Removed, but behaviour changes: finding `code` (warning). */
  | { action: 'note'; code: string; reason: string }
  /** Not migrated automatically: the job stays as it is, finding `code` (manual) says what to do. */
  | { action: 'manual'; code: string; reason: string };

export interface KanikoFlag {
  /** Canonical long name without dashes. */
  name: string;
  /** Every accepted spelling: long, short, deprecated. */
  spellings: string[];
  kind: FlagKind;
  mapping: FlagAction;
}

const CI_PROJECT_DIR = /^\$(\{CI_PROJECT_DIR\}|CI_PROJECT_DIR)(?![A-Za-z0-9_])/;

/** A path Kaniko would not resolve against the working directory. */
function isAbsolutePath(text: ShellText): boolean {
  const shown = displayText(text);
  return shown.startsWith('/') || CI_PROJECT_DIR.test(shown) || shown.startsWith('~');
}

function stripTrailingSlash(text: ShellText): ShellText {
  const last = text[text.length - 1];
  if (last?.kind === 'literal' && last.text.length > 1 && last.text.endsWith('/')) {
    return [...text.slice(0, -1), { ...last, text: last.text.slice(0, -1) }];
  }
  return text;
}

function joinPath(dir: ShellText, rel: ShellText): ShellText {
  const d = staticText(dir);
  if (d === '.' || d === './') return rel;
  const relStatic = staticText(rel);
  if (relStatic?.startsWith('./')) return concat(stripTrailingSlash(dir), lit(relStatic.slice(1)));
  return concat(stripTrailingSlash(dir), lit('/'), rel);
}

/** `dir/file` → [dir, file]; a bare name → ['.', name]; a dynamic path → shell `$(dirname …)`/`$(basename …)`. */
function splitDockerfilePath(path: ShellText): { dir: ShellText; file: ShellText } {
  const parts = splitLast(path, '/');
  if (parts) {
    const [dir, file] = parts;
    if (staticText(file) !== undefined && staticText(file) !== '') return { dir: dir.length ? dir : lit('/'), file };
    if (staticText(file) === undefined) return dynamicSplit(path);
  }
  if (staticText(path) !== undefined) return { dir: lit('.'), file: path };
  return dynamicSplit(path);
}

function dynamicSplit(path: ShellText): { dir: ShellText; file: ShellText } {
  const quoted = `"${displayText(path).replace(/"/g, '\\"')}"`;
  return {
    dir: [{ kind: 'command', raw: `$(dirname ${quoted})`, quoted: true }],
    file: [{ kind: 'command', raw: `$(basename ${quoted})`, quoted: true }],
  };
}

function valueOf(use: FlagUse): ShellText {
  return use.value ?? lit('');
}

/** `repo:tag` → repo, following `name.NewTag`: the tag is after the last `:` that has no `/` after it. */
export function repositoryOf(ref: ShellText): ShellText | undefined {
  const shown = displayText(ref);
  if (shown.includes('@')) {
    const at = splitLast(ref, '@');
    return at ? repositoryOf(at[0]) : undefined;
  }
  const parts = splitLast(ref, ':', '/');
  if (parts) return parts[0];
  // No tag: the whole text is the repository, but only if it is not all one unknown variable that may hold a tag.
  const last = ref[ref.length - 1];
  if (last && last.kind === 'literal') return ref;
  return undefined;
}

/** The tag buildctl stores the registry cache under (one manifest; Kaniko stored one image per layer key). */
export const CACHE_TAG = 'buildkit';

const bool = (name: string, spellings: string[], mapping: FlagAction): KanikoFlag => ({ name, spellings, kind: 'bool', mapping });
const str = (name: string, spellings: string[], mapping: FlagAction): KanikoFlag => ({ name, spellings, kind: 'string', mapping });
const list = (name: string, spellings: string[], mapping: FlagAction): KanikoFlag => ({ name, spellings, kind: 'list', mapping });
const drop = (code: string, reason: string): FlagAction => ({ action: 'drop', code, reason });
const note = (code: string, reason: string): FlagAction => ({ action: 'note', code, reason });
const manual = (code: string, reason: string): FlagAction => ({ action: 'manual', code, reason });

const REGISTRY_CONFIG = 'needs a buildkitd.toml registry entry; not generated yet';

export const FLAGS: readonly KanikoFlag[] = [
  // --- Where the build comes from -------------------------------------------------------------------------------------
  str('context-sub-path', ['--context-sub-path'], {
    action: 'map',
    apply: () => {
      /* read by `context` below: Kaniko joins it only to `scheme://` contexts */
    },
  }),
  str('context', ['--context', '-c'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      const sub = ctx.last('context-sub-path');
      if (!use) {
        ctx.plan.context = lit('.');
        ctx.warn('KB304', 'no --context: Kaniko would build /workspace/; the migrated call builds the job folder (.)');
        return;
      }
      let context = valueOf(use);
      const shown = displayText(context);
      const scheme = /^([a-z0-9+.-]+):\/\//i.exec(shown)?.[1]?.toLowerCase();
      if (scheme === 'dir') {
        context = splitLeading(context, 'dir://'.length);
        if (sub?.value) context = joinPath(context, sub.value);
      } else if (scheme) {
        ctx.manual('KB306', `--context ${shown}: ${scheme}:// build contexts are not migrated yet; build from a local folder or an https git URL by hand`, use);
        return;
      } else if (sub) {
        ctx.warn('KB305', `--context-sub-path ${displayText(valueOf(sub))} is ignored by Kaniko for a plain-path context, so the migrated call ignores it too; check which folder you meant to build`, sub);
      }
      ctx.plan.context = stripTrailingSlash(context);
    },
  }),
  str('dockerfile', ['--dockerfile', '-f'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      const given = use ? valueOf(use) : lit('Dockerfile');
      const shown = displayText(given);
      if (/^https?:\/\//.test(shown)) {
        ctx.manual('KB307', `--dockerfile ${shown} is a URL Kaniko downloads; fetch it in the script (wget) and pass its folder`, use);
        return;
      }
      let path = given;
      if (!isAbsolutePath(given)) path = ctx.resolveDockerfile(given, use);
      const { dir, file } = splitDockerfilePath(path);
      ctx.plan.dockerfileDir = dir;
      ctx.plan.filename = file;
    },
  }),
  str('bucket', ['--bucket', '-b'], manual('KB306', 'a GCS bucket context has no BuildKit equivalent in the rootless image')),
  list('git', ['--git'], manual('KB306', 'options for a git:// context; git contexts are not migrated yet')),

  // --- What is built ----------------------------------------------------------------------------------------------
  str('target', ['--target'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      if (use) ctx.plan.opts.push(concat(lit('target='), valueOf(use)));
    },
  }),
  list('build-arg', ['--build-arg'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) {
        const value = valueOf(use);
        const shown = displayText(value);
        if (value.some((s) => s.kind === 'literal' && s.text.includes('='))) {
          ctx.plan.opts.push(concat(lit('build-arg:'), value));
        } else if (staticText(value) !== undefined) {
          // `--build-arg K`: Kaniko reads K from its environment, empty when unset (§2.6); buildctl ≤0.32 rejects `build-arg:K`.
          ctx.plan.opts.push(concat(lit('build-arg:'), value, lit('='), [{ kind: 'param', raw: `\${${shown}}`, name: shown, quoted: true }]));
        } else {
          ctx.plan.opts.push(concat(lit('build-arg:'), value));
          ctx.warn('KB308', `--build-arg ${shown}: if the value holds no "=", buildctl rejects it where Kaniko read the variable from the environment`, use);
        }
      }
    },
  }),
  list('label', ['--label'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) ctx.plan.opts.push(concat(lit('label:'), valueOf(use)));
    },
  }),
  str('custom-platform', ['--custom-platform', '--customPlatform'], manual('KB310', 'platform mapping not generated yet: use --opt platform=OS/ARCH')),
  list('annotation', ['--annotation'], manual('KB310', 'manifest annotations are not mapped yet: add annotation.K=V to the --output')),
  bool('reproducible', ['--reproducible'], manual('KB310', 'not mapped yet: use --opt build-arg:SOURCE_DATE_EPOCH=0 and rewrite-timestamp=true on the output')),
  list('secret', ['--secret'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) ctx.plan.secrets.push(valueOf(use));
    },
  }),

  // --- Where the image goes -------------------------------------------------------------------------------------------
  bool('no-push', ['--no-push'], {
    action: 'map',
    apply: (ctx) => {
      ctx.push = ctx.bool('no-push') !== true;
    },
  }),
  list('destination', ['--destination', '-d'], {
    action: 'map',
    apply: (ctx, uses) => {
      ctx.destinations = uses.map(valueOf);
      if (ctx.push && ctx.destinations.length) {
        ctx.plan.outputs.push([field('type', lit('image')), field('name', ...ctx.destinations), field('push', lit('true'))]);
      } else if (ctx.push && !ctx.call.problems.length) {
        ctx.warn('KB312', 'neither --destination nor --no-push: Kaniko refused to run this; the migrated call only builds');
      }
    },
  }),
  str('tar-path', ['--tar-path', '--tarPath'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      if (!use) return;
      const fields = [field('type', lit('docker')), field('dest', valueOf(use))];
      if (ctx.destinations.length) fields.push(field('name', ...ctx.destinations));
      ctx.plan.outputs.push(fields);
    },
  }),
  str('oci-layout-path', ['--oci-layout-path'], manual('KB310', 'not mapped yet: add --output type=oci,dest=DIR,tar=false')),
  str('digest-file', ['--digest-file'], manual('KB310', 'not mapped yet: use --metadata-file and extract containerimage.digest')),
  str('image-name-with-digest-file', ['--image-name-with-digest-file'], manual('KB310', 'not mapped yet: build the file from --metadata-file')),
  str('image-name-tag-with-digest-file', ['--image-name-tag-with-digest-file'], manual('KB310', 'not mapped yet: build the file from --metadata-file')),
  str('compression', ['--compression'], manual('KB310', 'not mapped yet: add compression=… to the --output')),
  str('compression-level', ['--compression-level'], manual('KB310', 'not mapped yet: add compression-level=… to the --output')),
  str('image-format', ['--image-format'], manual('KB310', 'not mapped yet: add oci-mediatypes=… to the --output')),

  // --- Cache ----------------------------------------------------------------------------------------------------------
  str('cache-repo', ['--cache-repo'], { action: 'map', apply: () => { /* read by `cache` */ } }),
  bool('no-push-cache', ['--no-push-cache'], { action: 'map', apply: () => { /* read by `cache` */ } }),
  bool('cache', ['--cache'], {
    action: 'map',
    apply: (ctx) => {
      if (ctx.bool('cache') !== true) return;
      const repoUse = ctx.last('cache-repo');
      let repo: ShellText | undefined = repoUse?.value;
      if (repo && displayText(repo).startsWith('oci:')) {
        ctx.manual('KB310', '--cache-repo oci:… (a local OCI layout cache) is not mapped yet: use --export-cache type=local,dest=DIR', repoUse);
        return;
      }
      if (!repo || displayText(repo) === '') {
        const first = ctx.destinations[0];
        if (!first) {
          ctx.manual('KB309', 'Kaniko derives the cache repository from the first --destination, and there is none here; add --cache-repo REPO to the Kaniko call and run again');
          return;
        }
        const base = repositoryOf(first);
        if (base) repo = concat(base, lit('/cache'));
        else {
          // The tag is only known at run time: strip it in the job as Kaniko did (`:tag` after the last `/`).
          repo = concat([{ kind: 'command', raw: `$(echo ${renderWord(first)} | sed 's#:[^:/]*$##')`, quoted: true }], lit('/cache'));
          ctx.warn('KB314', `the cache repository is derived from --destination ${displayText(first)} when the job runs (its tag stripped, /cache added), as Kaniko did; consider a fixed --cache-repo`);
        }
      }
      const ref = concat(repo, lit(`:${CACHE_TAG}`));
      ctx.plan.importCache.push([field('type', lit('registry')), field('ref', ref)]);
      if (ctx.bool('no-push-cache') !== true) {
        // Kaniko caches every stage and only warns when a cache push fails (§2.8).
        ctx.plan.exportCache.push([field('type', lit('registry')), field('ref', ref), field('mode', lit('max')), field('ignore-error', lit('true'))]);
      }
    },
  }),
  str('cache-dir', ['--cache-dir'], note('KB303', 'BuildKit has no base-image cache folder filled by a warmer; base images are pulled')),
  str('cache-ttl', ['--cache-ttl'], note('KB303', 'a registry cache in BuildKit has no time-to-live; old entries are reused until overwritten')),
  bool('cache-copy-layers', ['--cache-copy-layers'], drop('KB302', 'BuildKit caches every step, COPY included')),
  bool('cache-run-layers', ['--cache-run-layers'], drop('KB302', 'BuildKit caches every step, RUN included')),
  bool('compressed-caching', ['--compressed-caching'], drop('KB302', 'a Kaniko memory/CPU trade-off with no BuildKit counterpart')),

  // --- Registries and TLS (need buildkitd.toml) -----------------------------------------------------------------------
  bool('insecure', ['--insecure'], manual('KB310', REGISTRY_CONFIG)),
  bool('insecure-pull', ['--insecure-pull'], manual('KB310', REGISTRY_CONFIG)),
  list('insecure-registry', ['--insecure-registry'], manual('KB310', REGISTRY_CONFIG)),
  bool('skip-tls-verify', ['--skip-tls-verify'], manual('KB310', REGISTRY_CONFIG)),
  bool('skip-tls-verify-pull', ['--skip-tls-verify-pull'], drop('KB302', 'the flag has had no effect in Kaniko since v0.23.0')),
  list('skip-tls-verify-registry', ['--skip-tls-verify-registry'], manual('KB310', REGISTRY_CONFIG)),
  list('registry-certificate', ['--registry-certificate'], manual('KB310', REGISTRY_CONFIG)),
  list('registry-client-cert', ['--registry-client-cert'], manual('KB310', REGISTRY_CONFIG)),
  list('registry-mirror', ['--registry-mirror'], manual('KB310', REGISTRY_CONFIG)),
  list('registry-map', ['--registry-map'], manual('KB310', REGISTRY_CONFIG)),
  bool('skip-default-registry-fallback', ['--skip-default-registry-fallback'], manual('KB311', 'BuildKit always falls back to the original registry after its mirrors')),
  list('credential-helpers', ['--credential-helpers'], manual('KB311', 'the BuildKit image has no credential helpers; write ~/.docker/config.json instead')),
  bool('push-ignore-immutable-tag-errors', ['--push-ignore-immutable-tag-errors'], manual('KB311', 'BuildKit fails on an immutable-tag push error; decide whether the job may fail or push another tag')),
  str('push-retry', ['--push-retry'], note('KB303', 'BuildKit retries failed pushes on its own (1 s, 2 s, 4 s) and has no retry count')),
  str('image-download-retry', ['--image-download-retry'], note('KB303', 'BuildKit retries failed pulls on its own and has no retry count')),
  str('image-fs-extract-retry', ['--image-fs-extract-retry'], drop('KB302', 'a Kaniko-internal retry')),
  bool('skip-push-permission-check', ['--skip-push-permission-check'], drop('KB302', 'BuildKit never checks push permission before the build')),

  // --- Kaniko internals -----------------------------------------------------------------------------------------------
  bool('single-snapshot', ['--single-snapshot'], note('KB303', 'buildctl cannot squash the image into one layer; the image keeps one layer per step')),
  str('snapshot-mode', ['--snapshot-mode', '--snapshotMode'], drop('KB302', 'Kaniko snapshot algorithm; BuildKit uses its snapshotter')),
  bool('use-new-run', ['--use-new-run'], drop('KB302', 'experimental Kaniko RUN detection')),
  bool('ignore-var-run', ['--ignore-var-run', '--whitelist-var-run'], drop('KB302', 'Kaniko snapshot filter; BuildKit keeps what RUN writes')),
  list('ignore-path', ['--ignore-path'], note('KB303', 'BuildKit keeps files RUN writes under ignored paths; remove them in the Dockerfile if they matter')),
  str('kaniko-dir', ['--kaniko-dir'], drop('KB302', 'the Kaniko work folder does not exist in BuildKit')),
  bool('force', ['--force'], drop('KB302', 'BuildKit runs anywhere the daemon starts')),
  bool('cleanup', ['--cleanup'], drop('KB302', 'BuildKit builds in its own snapshots; the job filesystem is not touched')),
  bool('pre-cleanup', ['--pre-cleanup'], drop('KB302', 'BuildKit builds in its own snapshots')),
  bool('preserve-context', ['--preserve-context'], drop('KB302', 'BuildKit builds in its own snapshots; pass secrets with --secret')),
  bool('materialize', ['--materialize'], drop('KB302', 'a Kaniko filesystem detail')),
  bool('skip-unused-stages', ['--skip-unused-stages'], drop('KB302', 'BuildKit always skips stages the target does not need')),
  bool('force-build-metadata', ['--force-build-metadata'], drop('KB302', 'a Kaniko layer detail')),
  bool('dryrun', ['--dryrun'], manual('KB311', 'no buildctl dry run; the nearest is --opt requestid=frontend.outline')),
  str('verbosity', ['--verbosity', '-v'], drop('KB302', 'log level; buildctl prints plain progress in CI')),
  str('log-format', ['--log-format'], drop('KB302', 'buildctl prints plain progress in CI')),
  bool('log-timestamp', ['--log-timestamp'], drop('KB302', 'buildctl progress has its own timing')),
];

function splitLeading(text: ShellText, n: number): ShellText {
  const out = [...text];
  const first = out[0];
  if (first?.kind === 'literal') {
    if (first.text.length > n) out[0] = { ...first, text: first.text.slice(n) };
    else out.shift();
  }
  return out;
}

const bySpelling = new Map<string, KanikoFlag>();
for (const flag of FLAGS) for (const s of flag.spellings) bySpelling.set(s, flag);

export function flagBySpelling(spelling: string): KanikoFlag | undefined {
  return bySpelling.get(spelling);
}

export function flagByName(name: string): KanikoFlag | undefined {
  return FLAGS.find((f) => f.name === name);
}
