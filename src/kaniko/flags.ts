/**
 * THE flag table: one entry per Kaniko executor flag (v1.24.0, plus the chainguard and osscontainertools forks),
 * with every spelling, its value kind, and what it becomes in BuildKit. Adding a flag is adding an entry here.
 *
 * Entries run in table order against one call, so an entry may read what earlier entries decided
 * (the context before the Dockerfile, destinations before the cache). Source of every fact: ../shared/reference §1–§3.
 */
import { concat, displayText, lit, renderWord, splitLast, staticText, type ShellText } from '../shell/quote.js';
import { field, registry, STDIN_DOCKERFILE_DIR, type CsvField } from '../plan/build-plan.js';
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

/**
 * What a shell variable holding this flag (`$KANIKO_ARGS`, `DESTS="$DESTS --destination=…"`) can hold instead after the
 * migration, so the call keeps reading it:
 * - `args`: the flag's own buildctl arguments (`--opt build-arg:K=V`), passed through where the variable stood;
 * - `names`: image names, comma-separated, read into the `--output` name list;
 * - `push`: `false` (for `--no-push`), read into the output's `push=` attribute.
 * A dropped flag (`drop`/`note`) may always stand in an `args` variable: it just disappears.
 */
export type VariableRole = 'args' | 'names' | 'push';

export interface KanikoFlag {
  /** Canonical long name without dashes. */
  name: string;
  /** Every accepted spelling: long, short, deprecated. */
  spellings: string[];
  kind: FlagKind;
  mapping: FlagAction;
  /** When set, the flag may be held by a variable the call expands (see VariableRole); otherwise only the call may hold it. */
  inVariable?: VariableRole;
}

const CI_PROJECT_DIR = /^\$(\{CI_PROJECT_DIR\}|CI_PROJECT_DIR)(?![A-Za-z0-9_])/;

/**
 * A path Kaniko would not resolve against the working directory. A leading variable is followed through the job's
 * `variables:` (`$DOCKERFILE` → `$CONTEXT/Dockerfile` → `$CI_PROJECT_DIR/Dockerfile`).
 */
function isAbsolutePath(text: ShellText, ctx: CallContext): boolean {
  let shown = displayText(text);
  for (let depth = 0; depth < 8; depth++) {
    if (shown.startsWith('/') || CI_PROJECT_DIR.test(shown) || shown.startsWith('~')) return true;
    const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(shown);
    const value = m ? ctx.variableValue(m[1] ?? m[2]!) : undefined;
    if (value === undefined) return false;
    shown = value + shown.slice(m![0].length);
  }
  return false;
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

const bool = (name: string, spellings: string[], mapping: FlagAction, inVariable?: VariableRole): KanikoFlag => ({
  name,
  spellings,
  kind: 'bool',
  mapping,
  ...(inVariable && { inVariable }),
});
const str = (name: string, spellings: string[], mapping: FlagAction, inVariable?: VariableRole): KanikoFlag => ({
  name,
  spellings,
  kind: 'string',
  mapping,
  ...(inVariable && { inVariable }),
});
const list = (name: string, spellings: string[], mapping: FlagAction, inVariable?: VariableRole): KanikoFlag => ({
  name,
  spellings,
  kind: 'list',
  mapping,
  ...(inVariable && { inVariable }),
});
const drop = (code: string, reason: string): FlagAction => ({ action: 'drop', code, reason });
const note = (code: string, reason: string): FlagAction => ({ action: 'note', code, reason });
const manual = (code: string, reason: string): FlagAction => ({ action: 'manual', code, reason });

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
        ctx.manual(
          'KB306',
          `--context ${shown}: ${scheme}:// build contexts are not migrated yet; build from a local folder or an https git URL by hand`,
          use,
        );
        return;
      } else if (sub) {
        ctx.warn(
          'KB305',
          `--context-sub-path ${displayText(valueOf(sub))} is ignored by Kaniko for a plain-path context, so the migrated call ignores it too; check which folder you meant to build`,
          sub,
        );
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
        ctx.manual(
          'KB307',
          `--dockerfile ${shown} is a URL Kaniko downloads; fetch it in the script (wget) and pass its folder`,
          use,
        );
        return;
      }
      if (shown === '/dev/stdin') {
        ctx.plan.dockerfileDir = lit(STDIN_DOCKERFILE_DIR);
        ctx.plan.stdinDockerfile = true;
        ctx.info(
          'KB320',
          `--dockerfile /dev/stdin: buildctl reads the Dockerfile from a folder, so the call first saves its standard input to ${STDIN_DOCKERFILE_DIR}/Dockerfile`,
          use,
        );
        return;
      }
      let path = given;
      if (!isAbsolutePath(given, ctx)) path = ctx.resolveDockerfile(given, use);
      const { dir, file } = splitDockerfilePath(path);
      ctx.plan.dockerfileDir = dir;
      ctx.plan.filename = file;
    },
  }),
  str(
    'bucket',
    ['--bucket', '-b'],
    manual('KB306', 'a GCS bucket context has no BuildKit equivalent in the rootless image'),
  ),
  list('git', ['--git'], manual('KB306', 'options for a git:// context; git contexts are not migrated yet')),

  // --- What is built ----------------------------------------------------------------------------------------------
  str(
    'target',
    ['--target'],
    {
      action: 'map',
      apply: (ctx, uses) => {
        const use = uses[uses.length - 1];
        if (use) ctx.plan.opts.push(concat(lit('target='), valueOf(use)));
      },
    },
    'args',
  ),
  list(
    'build-arg',
    ['--build-arg'],
    {
      action: 'map',
      apply: (ctx, uses) => {
        for (const use of uses) {
          const value = valueOf(use);
          const shown = displayText(value);
          if (value.some((s) => s.kind === 'literal' && s.text.includes('='))) {
            ctx.plan.opts.push(concat(lit('build-arg:'), value));
          } else if (staticText(value) !== undefined) {
            // `--build-arg K`: Kaniko reads K from its environment, empty when unset (§2.6); buildctl ≤0.32 rejects `build-arg:K`.
            ctx.plan.opts.push(
              concat(lit('build-arg:'), value, lit('='), [
                { kind: 'param', raw: `\${${shown}}`, name: shown, quoted: true },
              ]),
            );
          } else {
            ctx.plan.opts.push(concat(lit('build-arg:'), value));
            ctx.warn(
              'KB308',
              `--build-arg ${shown}: if the value holds no "=", buildctl rejects it where Kaniko read the variable from the environment`,
              use,
            );
          }
        }
      },
    },
    'args',
  ),
  list(
    'label',
    ['--label'],
    {
      action: 'map',
      apply: (ctx, uses) => {
        for (const use of uses) ctx.plan.opts.push(concat(lit('label:'), valueOf(use)));
      },
    },
    'args',
  ),
  str(
    'custom-platform',
    ['--custom-platform', '--customPlatform'],
    {
      action: 'map',
      apply: (ctx, uses) => {
        const use = uses[uses.length - 1];
        if (!use) return;
        ctx.plan.opts.push(concat(lit('platform='), valueOf(use)));
        ctx.info(
          'KB315',
          `${use.spelling} ${displayText(valueOf(use))}: BuildKit builds for that platform and emulates RUN steps with its bundled QEMU when it is not the runner's; Kaniko only picked the base image for it`,
          use,
        );
      },
    },
    'args',
  ),
  list(
    'secret',
    ['--secret'],
    {
      action: 'map',
      apply: (ctx, uses) => {
        for (const use of uses) ctx.plan.secrets.push(valueOf(use));
      },
    },
    'args',
  ),

  // --- Where the image goes -------------------------------------------------------------------------------------------
  bool(
    'no-push',
    ['--no-push'],
    {
      action: 'map',
      apply: (ctx) => {
        ctx.push = ctx.bool('no-push') !== true;
      },
    },
    'push',
  ),
  list(
    'destination',
    ['--destination', '-d'],
    {
      action: 'map',
      apply: (ctx, uses) => {
        ctx.destinations = uses.map(valueOf);
        const names = ctx.imageNames();
        if (!names) {
          ctx.manual(
            'KB204',
            `the image names come from ${ctx.vars.names.map((v) => v.label).join(' and ')}, which cannot be joined into one list exactly; write one --destination in the call, then run again`,
          );
          return;
        }
        if (ctx.push && names.length) {
          // A name-list variable holds commas at run time: the field is always quoted then.
          const name: CsvField = { ...field('name', ...names), ...(ctx.vars.names.length && { list: true as const }) };
          ctx.plan.outputs.push([field('type', lit('image')), name, field('push', ctx.pushValue())]);
        } else if (ctx.push && !ctx.call.problems.length) {
          ctx.warn(
            'KB312',
            'neither --destination nor --no-push: Kaniko refused to run this; the migrated call only builds',
          );
        }
      },
    },
    'names',
  ),
  str('tar-path', ['--tar-path', '--tarPath'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      if (!use) return;
      const fields = [field('type', lit('docker')), field('dest', valueOf(use))];
      const names = ctx.imageNames() ?? ctx.destinations;
      if (names.length)
        fields.push({ ...field('name', ...names), ...(ctx.vars.names.length && { list: true as const }) });
      ctx.plan.outputs.push(fields);
    },
  }),

  str('oci-layout-path', ['--oci-layout-path'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      if (use)
        ctx.plan.outputs.push([field('type', lit('oci')), field('dest', valueOf(use)), field('tar', lit('false'))]);
    },
  }),
  str('digest-file', ['--digest-file'], { action: 'map', apply: (ctx, uses) => digestFiles(ctx, uses, 'digest') }),
  str('image-name-with-digest-file', ['--image-name-with-digest-file'], {
    action: 'map',
    apply: (ctx, uses) => digestFiles(ctx, uses, 'name'),
  }),
  str('image-name-tag-with-digest-file', ['--image-name-tag-with-digest-file'], {
    action: 'map',
    apply: (ctx, uses) => digestFiles(ctx, uses, 'name-tag'),
  }),

  // --- Cache ----------------------------------------------------------------------------------------------------------
  str('cache-repo', ['--cache-repo'], {
    action: 'map',
    apply: () => {
      /* read by `cache` */
    },
  }),
  bool('no-push-cache', ['--no-push-cache'], {
    action: 'map',
    apply: () => {
      /* read by `cache` */
    },
  }),
  bool('cache', ['--cache'], {
    action: 'map',
    apply: (ctx) => {
      if (ctx.bool('cache') !== true) return;
      const repoUse = ctx.last('cache-repo');
      let repo: ShellText | undefined = repoUse?.value;
      if (repo && displayText(repo).startsWith('oci:')) {
        ctx.manual(
          'KB310',
          '--cache-repo oci:… (a local OCI layout cache) is not mapped yet: use --export-cache type=local,dest=DIR',
          repoUse,
        );
        return;
      }
      if ((!repo || displayText(repo) === '') && !ctx.push && ctx.bool('no-push-cache') !== true) {
        // Kaniko checks this before anything else and stops (cacheFlagsValid; the oss fork accepts it with --no-push-cache).
        ctx.warn(
          'KB319',
          '--cache with --no-push and no --cache-repo: Kaniko refused to run this ("if using cache with --no-push, specify cache repo with --cache-repo"); the migrated call builds with BuildKit\'s own cache only',
          ctx.last('cache'),
        );
        return;
      }
      if (!repo || displayText(repo) === '') {
        const first = ctx.firstImageName();
        if (!first) {
          ctx.manual(
            'KB309',
            'Kaniko derives the cache repository from the first --destination, and there is none here; add --cache-repo REPO to the Kaniko call and run again',
          );
          return;
        }
        const base = repositoryOf(first);
        if (base) repo = concat(base, lit('/cache'));
        else {
          // The tag is only known at run time: strip it in the job as Kaniko did (`:tag` after the last `/`).
          repo = concat(
            [{ kind: 'command', raw: `$(echo ${renderWord(first)} | sed 's#:[^:/]*$##')`, quoted: true }],
            lit('/cache'),
          );
          ctx.warn(
            'KB314',
            `the cache repository is derived from --destination ${displayText(first)} when the job runs (its tag stripped, /cache added), as Kaniko did; consider a fixed --cache-repo`,
          );
        }
      }
      const ref = concat(repo, lit(`:${CACHE_TAG}`));
      ctx.plan.importCache.push([field('type', lit('registry')), field('ref', ref)]);
      if (ctx.bool('no-push-cache') !== true) {
        // Kaniko caches every stage and only warns when a cache push fails (§2.8).
        ctx.plan.exportCache.push([
          field('type', lit('registry')),
          field('ref', ref),
          field('mode', lit('max')),
          field('ignore-error', lit('true')),
        ]);
      }
    },
  }),
  str(
    'cache-dir',
    ['--cache-dir'],
    note('KB303', 'BuildKit has no base-image cache folder filled by a warmer; base images are pulled'),
  ),
  str(
    'cache-ttl',
    ['--cache-ttl'],
    note('KB303', 'a registry cache in BuildKit has no time-to-live; old entries are reused until overwritten'),
  ),
  bool('cache-copy-layers', ['--cache-copy-layers'], drop('KB302', 'BuildKit caches every step, COPY included')),
  bool('cache-run-layers', ['--cache-run-layers'], drop('KB302', 'BuildKit caches every step, RUN included')),
  bool(
    'compressed-caching',
    ['--compressed-caching'],
    drop('KB302', 'a Kaniko memory/CPU trade-off with no BuildKit counterpart'),
  ),

  // --- Attributes of the outputs and caches made above ------------------------------------------------------------------
  str('compression', ['--compression'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      if (use) ctx.addAttr(field('compression', valueOf(use)), { images: true, exportCache: true });
    },
  }),
  str('compression-level', ['--compression-level'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      // Kaniko uses the level only when it is above 0 (§1).
      if (use && !/^-|^0$/.test(displayText(valueOf(use))))
        ctx.addAttr(field('compression-level', valueOf(use)), { images: true, exportCache: true });
    },
  }),
  str('image-format', ['--image-format'], {
    action: 'map',
    apply: (ctx, uses) => {
      const use = uses[uses.length - 1];
      if (!use) return;
      const v = staticText(valueOf(use));
      if (v !== 'docker' && v !== 'oci')
        return ctx.manual('KB301', `--image-format ${displayText(valueOf(use))}: expected docker or oci`, use);
      ctx.addAttr(field('oci-mediatypes', lit(v === 'oci' ? 'true' : 'false')), { images: true });
    },
  }),
  list('annotation', ['--annotation'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) {
        const parts = splitFirst(valueOf(use), '=');
        if (!parts) return ctx.manual('KB301', `--annotation ${displayText(valueOf(use))}: expected KEY=VALUE`, use);
        ctx.addAttr(
          { key: `annotation.${staticText(parts[0]) ?? displayText(parts[0])}`, values: [parts[1]] },
          { images: true },
        );
      }
    },
  }),
  bool('reproducible', ['--reproducible'], {
    action: 'map',
    apply: (ctx) => {
      if (ctx.bool('reproducible') !== true) return;
      ctx.plan.opts.push(lit('build-arg:SOURCE_DATE_EPOCH=0'));
      ctx.addAttr(field('rewrite-timestamp', lit('true')), { images: true });
      ctx.warn(
        'KB316',
        "--reproducible: mapped to SOURCE_DATE_EPOCH=0 and rewrite-timestamp=true; builds are reproducible, but digests differ from Kaniko's (BuildKit keeps base-layer timestamps and sets created to the epoch)",
      );
    },
  }),

  // --- Registries and TLS (need buildkitd.toml) -----------------------------------------------------------------------
  bool('insecure', ['--insecure'], {
    action: 'map',
    apply: (ctx) => {
      // HTTP (after an HTTPS try) for the push destinations and the cache repo (§1): the same as registry.insecure.
      if (ctx.bool('insecure') === true)
        ctx.addAttr(field('registry.insecure', lit('true')), { images: true, importCache: true, exportCache: true });
    },
  }),
  bool('skip-tls-verify', ['--skip-tls-verify'], {
    action: 'map',
    apply: (ctx) => {
      if (ctx.bool('skip-tls-verify') !== true) return;
      ctx.addAttr(field('registry.insecure', lit('true')), { images: true, importCache: true, exportCache: true });
      ctx.warn(
        'KB317',
        '--skip-tls-verify: pushes and the cache skip TLS verification (registry.insecure=true); Kaniko also skipped it for base-image pulls, which BuildKit needs per registry host: if the Dockerfile pulls from a registry with a self-signed certificate, add --skip-tls-verify-registry HOST to the Kaniko call and run again',
      );
    },
  }),
  bool(
    'insecure-pull',
    ['--insecure-pull'],
    manual(
      'KB311',
      'BuildKit sets plain HTTP per registry host; replace it with --insecure-registry HOST for each registry the Dockerfile pulls from, then run again',
    ),
  ),
  list('insecure-registry', ['--insecure-registry'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) registry(ctx.plan, valueOf(use)).http = true;
    },
  }),
  list('skip-tls-verify-registry', ['--skip-tls-verify-registry'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) registry(ctx.plan, valueOf(use)).insecure = true;
    },
  }),
  list('registry-certificate', ['--registry-certificate'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) {
        const parts = splitFirst(valueOf(use), '=');
        if (!parts)
          return ctx.manual(
            'KB301',
            `--registry-certificate ${displayText(valueOf(use))}: expected HOST=/path/ca.crt`,
            use,
          );
        registry(ctx.plan, parts[0]).ca.push(parts[1]);
      }
    },
  }),
  list('registry-client-cert', ['--registry-client-cert'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) {
        const parts = splitFirst(valueOf(use), '=');
        const pair = parts && splitFirst(parts[1], ',');
        if (!parts || !pair)
          return ctx.manual(
            'KB301',
            `--registry-client-cert ${displayText(valueOf(use))}: expected HOST=/path/cert,/path/key`,
            use,
          );
        registry(ctx.plan, parts[0]).keypairs.push({ cert: pair[0], key: pair[1] });
      }
    },
  }),
  list('registry-mirror', ['--registry-mirror'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) {
        const v = valueOf(use);
        const http = /^http:\/\//.test(displayText(v));
        const mirror = stripScheme(v);
        registry(ctx.plan, lit('docker.io')).mirrors.push(mirror);
        if (http) registry(ctx.plan, hostOf(mirror)).http = true;
      }
    },
  }),
  list('registry-map', ['--registry-map'], {
    action: 'map',
    apply: (ctx, uses) => {
      for (const use of uses) {
        for (const pair of splitAll(valueOf(use), ';')) {
          const parts = splitFirst(pair, '=');
          if (!parts)
            return ctx.manual('KB301', `--registry-map ${displayText(valueOf(use))}: expected ORIGINAL=MIRROR`, use);
          const orig = staticText(parts[0]) === 'index.docker.io' ? lit('docker.io') : parts[0];
          registry(ctx.plan, orig).mirrors.push(stripScheme(parts[1]));
        }
      }
    },
  }),
  bool(
    'skip-tls-verify-pull',
    ['--skip-tls-verify-pull'],
    drop('KB302', 'the flag has had no effect in Kaniko since v0.23.0'),
  ),
  bool(
    'skip-default-registry-fallback',
    ['--skip-default-registry-fallback'],
    manual('KB311', 'BuildKit always falls back to the original registry after its mirrors'),
  ),
  list(
    'credential-helpers',
    ['--credential-helpers'],
    manual('KB311', 'the BuildKit image has no credential helpers; write ~/.docker/config.json instead'),
  ),
  bool(
    'push-ignore-immutable-tag-errors',
    ['--push-ignore-immutable-tag-errors'],
    manual(
      'KB311',
      'BuildKit fails on an immutable-tag push error; decide whether the job may fail or push another tag',
    ),
  ),
  str(
    'push-retry',
    ['--push-retry'],
    note('KB303', 'BuildKit retries failed pushes on its own (1 s, 2 s, 4 s) and has no retry count'),
  ),
  str(
    'image-download-retry',
    ['--image-download-retry'],
    note('KB303', 'BuildKit retries failed pulls on its own and has no retry count'),
  ),
  str('image-fs-extract-retry', ['--image-fs-extract-retry'], drop('KB302', 'a Kaniko-internal retry')),
  bool(
    'skip-push-permission-check',
    ['--skip-push-permission-check'],
    drop('KB302', 'BuildKit never checks push permission before the build'),
  ),

  // --- Kaniko internals -----------------------------------------------------------------------------------------------
  bool(
    'single-snapshot',
    ['--single-snapshot'],
    note('KB303', 'buildctl cannot squash the image into one layer; the image keeps one layer per step'),
  ),
  str(
    'snapshot-mode',
    ['--snapshot-mode', '--snapshotMode'],
    drop('KB302', 'Kaniko snapshot algorithm; BuildKit uses its snapshotter'),
  ),
  bool('use-new-run', ['--use-new-run'], drop('KB302', 'experimental Kaniko RUN detection')),
  bool(
    'ignore-var-run',
    ['--ignore-var-run', '--whitelist-var-run'],
    drop('KB302', 'Kaniko snapshot filter; BuildKit keeps what RUN writes'),
  ),
  list(
    'ignore-path',
    ['--ignore-path'],
    note('KB303', 'BuildKit keeps files RUN writes under ignored paths; remove them in the Dockerfile if they matter'),
  ),
  str('kaniko-dir', ['--kaniko-dir'], drop('KB302', 'the Kaniko work folder does not exist in BuildKit')),
  bool('force', ['--force'], drop('KB302', 'BuildKit runs anywhere the daemon starts')),
  bool(
    'cleanup',
    ['--cleanup'],
    drop('KB302', 'BuildKit builds in its own snapshots; the job filesystem is not touched'),
  ),
  bool('pre-cleanup', ['--pre-cleanup'], drop('KB302', 'BuildKit builds in its own snapshots')),
  bool(
    'preserve-context',
    ['--preserve-context'],
    drop('KB302', 'BuildKit builds in its own snapshots; pass secrets with --secret'),
  ),
  bool('materialize', ['--materialize'], drop('KB302', 'a Kaniko filesystem detail')),
  bool(
    'skip-unused-stages',
    ['--skip-unused-stages'],
    drop('KB302', 'BuildKit always skips stages the target does not need'),
  ),
  bool('force-build-metadata', ['--force-build-metadata'], drop('KB302', 'a Kaniko layer detail')),
  bool('dryrun', ['--dryrun'], manual('KB311', 'no buildctl dry run; the nearest is --opt requestid=frontend.outline')),
  str('verbosity', ['--verbosity', '-v'], drop('KB302', 'log level; buildctl prints plain progress in CI')),
  str('log-format', ['--log-format'], drop('KB302', 'buildctl prints plain progress in CI')),
  bool('log-timestamp', ['--log-timestamp'], drop('KB302', 'buildctl progress has its own timing')),
];

/** Splits at the first `sep` in literal text. */
function splitFirst(text: ShellText, sep: string): [ShellText, ShellText] | undefined {
  for (let i = 0; i < text.length; i++) {
    const seg = text[i]!;
    if (seg.kind !== 'literal') continue;
    const at = seg.text.indexOf(sep);
    if (at < 0) continue;
    const before = [...text.slice(0, i), ...(at > 0 ? [{ ...seg, text: seg.text.slice(0, at) }] : [])];
    const after = [
      ...(at + sep.length < seg.text.length ? [{ ...seg, text: seg.text.slice(at + sep.length) }] : []),
      ...text.slice(i + 1),
    ];
    return [before, after];
  }
  return undefined;
}

function splitAll(text: ShellText, sep: string): ShellText[] {
  const out: ShellText[] = [];
  let rest: ShellText = text;
  for (let parts = splitFirst(rest, sep); parts; parts = splitFirst(rest, sep)) {
    out.push(parts[0]);
    rest = parts[1];
  }
  out.push(rest);
  return out.filter((t) => t.length);
}

function stripScheme(text: ShellText): ShellText {
  const m = /^[a-z]+:\/\//i.exec(literalPrefixOf(text));
  return m ? splitLeading(text, m[0].length) : text;
}

function hostOf(text: ShellText): ShellText {
  return splitFirst(text, '/')?.[0] ?? text;
}

function literalPrefixOf(text: ShellText): string {
  let s = '';
  for (const seg of text) {
    if (seg.kind !== 'literal') break;
    s += seg.text;
  }
  return s;
}

/**
 * Kaniko's digest files (§2.7), written after the build from buildctl's --metadata-file with sed (no jq in the image):
 * `digest` holds `sha256:…` with no newline; the name files one line per destination, `repo@sha256:…` or `repo:tag@sha256:…`.
 */
function digestFiles(ctx: CallContext, uses: FlagUse[], kind: 'digest' | 'name' | 'name-tag'): void {
  const use = uses[uses.length - 1];
  if (!use) return;
  const file = renderWord(valueOf(use));
  if (/^https?:/.test(displayText(valueOf(use))))
    return ctx.manual(
      'KB310',
      `${use.spelling} ${displayText(valueOf(use))}: Kaniko PUT the file to that URL; upload it in the script after the build (wget has no PUT in busybox)`,
      use,
    );
  ctx.plan.metadataFile = [{ kind: 'literal', text: METADATA_FILE, quote: 'none', tilde: true }];
  const digest = `sed -n 's/.*"containerimage.digest": *"\\([^"]*\\)".*/\\1/p' ${METADATA_FILE}`;
  ctx.plan.after.push(`mkdir -p "$(dirname ${file})"`);
  if (kind === 'digest') {
    ctx.plan.after.push(`${digest} | tr -d '\\n' > ${file}`);
    return;
  }
  if (ctx.vars.names.length)
    return ctx.manual(
      'KB204',
      `${use.spelling}: the file lists every destination, and some come from ${ctx.vars.names.map((v) => v.label).join(', ')}, known only when the job runs; write the file by hand after the build`,
      use,
    );
  if (!ctx.destinations.length) return ctx.manual('KB301', `${use.spelling} needs a --destination, as in Kaniko`, use);
  // Kaniko writes the tagged form into both name files when both are asked for (§2.7 quirk).
  const tagged = kind === 'name-tag' || ctx.all('image-name-tag-with-digest-file').length > 0;
  const lines = ctx.destinations.map((d) => {
    const repo = repositoryOf(d);
    const shown = repo ? renderWord(normaliseRepository(repo)) : `"$(echo ${renderWord(d)} | sed 's#:[^:/]*$##')"`;
    const tag = tagged
      ? repo
        ? `:${renderWord(tagOf(d))}`
        : `:"$(echo ${renderWord(d)} | sed -n 's#.*:\\([^:/]*\\)$#\\1#p')"`
      : '';
    return `${shown}${tag}@"$DIGEST"`;
  });
  ctx.plan.after.push(`DIGEST=$(${digest})`);
  ctx.plan.after.push(`printf '%s\\n' ${lines.join(' ')} > ${file}`);
}

/** go-containerregistry's `Repository.Name()`: Docker Hub names become `index.docker.io/[library/]x` (§2.7). */
function normaliseRepository(repo: ShellText): ShellText {
  const shown = staticText(repo);
  if (shown === undefined) return repo;
  const parts = shown.split('/');
  const first = parts[0]!;
  const isRegistry = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (isRegistry && first !== 'docker.io' && first !== 'index.docker.io') return repo;
  const path = isRegistry ? parts.slice(1) : parts;
  return lit(`index.docker.io/${path.length === 1 ? 'library/' : ''}${path.join('/')}`);
}

function tagOf(ref: ShellText): ShellText {
  const parts = splitLast(ref, ':', '/');
  return parts ? parts[1] : lit('latest');
}

/** Where buildctl writes its metadata (HOME is writable for the rootless user). */
export const METADATA_FILE = '~/.buildkit-metadata.json';

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
