/**
 * Where the build comes from: `--context` with `--context-sub-path`, then `--dockerfile`, resolved as Kaniko does
 * (Kaniko `cmd/executor/cmd/root.go`: `resolveSourceContext`, then `resolveDockerfilePath`). buildctl reads
 * `--local context=` and `--local dockerfile=` (a folder, never a file) against its working directory.
 */
import { STDIN_DOCKERFILE_DIR } from '../plan/build-plan.js';
import {
  displayText,
  dropPrefix,
  joinPath,
  lit,
  renderWord,
  splitLast,
  staticText,
  stripTrailingSlash,
  type ShellText,
} from '../shell/quote.js';
import { shownValue, valueOf } from './define.js';
import type { CallState, FlagUse } from './types.js';

/**
 * `--context` (and `--context-sub-path`, which Kaniko joins only to `scheme://` contexts), then `--dockerfile`
 * against that context: one step, since the Dockerfile is resolved against the context.
 */
export function planSource(ctx: CallState): void {
  planContext(ctx);
  planDockerfile(ctx, ctx.last('dockerfile'));
}

function planContext(ctx: CallState): void {
  const use = ctx.last('context');
  const sub = ctx.last('context-sub-path');
  if (!use) {
    ctx.plan.context = lit('.');
    // Words only known at run time (`$KANIKO_ARGS` left as it is) may hold a --context: say so rather than "no --context".
    const unread = ctx.call.problems.filter((p) => p.kind === 'dynamic-argument').map((p) => p.text);
    ctx.report(
      'KB304',
      unread.length
        ? `no --context among the call's own words, but ${unread.join(' and ')} may hold one (it is only known when the job runs); without one Kaniko builds /workspace/, and a migrated call would build the job folder (.)`
        : 'no --context: Kaniko would build /workspace/; the migrated call builds the job folder (.)',
    );
    return;
  }
  let context = valueOf(use);
  const shown = displayText(context);
  const scheme = /^([a-z0-9+.-]+):\/\//i.exec(shown)?.[1]?.toLowerCase();
  if (scheme === 'dir') {
    context = dropPrefix(context, 'dir://'.length);
    if (sub?.value) context = joinPath(stripTrailingSlash(context), sub.value);
  } else if (scheme) {
    ctx.report(
      'KB306',
      `--context ${shown}: ${scheme}:// build contexts are not migrated yet; build from a local folder or an https git URL by hand`,
      use,
    );
    return;
  } else if (sub) {
    ctx.report(
      'KB305',
      `--context-sub-path ${shownValue(sub)} is ignored by Kaniko for a plain-path context, so the migrated call ignores it too; check which folder you meant to build`,
      sub,
    );
  }
  ctx.plan.context = stripTrailingSlash(context);
}

function planDockerfile(ctx: CallState, use: FlagUse | undefined): void {
  const given = use ? valueOf(use) : lit('Dockerfile');
  const shown = displayText(given);
  if (/^https?:\/\//.test(shown)) {
    ctx.report(
      'KB307',
      `--dockerfile ${shown} is a URL Kaniko downloads; fetch it in the script (wget) and pass its folder`,
      use,
    );
    return;
  }
  if (shown === '/dev/stdin') {
    ctx.plan.dockerfileDir = lit(STDIN_DOCKERFILE_DIR);
    ctx.plan.stdinDockerfile = true;
    ctx.report(
      'KB320',
      `--dockerfile /dev/stdin: buildctl reads the Dockerfile from a folder, so the call first saves its standard input to ${STDIN_DOCKERFILE_DIR}/Dockerfile`,
      use,
    );
    return;
  }
  let path: ShellText | undefined = given;
  if (!isAbsolutePath(given, ctx)) path = resolveDockerfile(ctx, given, use);
  if (!path) return; // resolved by the job itself (runtimeDockerfile)
  const { dir, file } = splitDockerfilePath(path);
  ctx.plan.dockerfileDir = dir;
  ctx.plan.filename = file;
}

const CI_PROJECT_DIR = /^\$(\{CI_PROJECT_DIR\}|CI_PROJECT_DIR)(?![A-Za-z0-9_])/;

/**
 * A path Kaniko would not resolve against the working directory. A leading variable is followed through the job's
 * `variables:` (`$DOCKERFILE` → `$CONTEXT/Dockerfile` → `$CI_PROJECT_DIR/Dockerfile`).
 */
function isAbsolutePath(text: ShellText, ctx: CallState): boolean {
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

/**
 * Kaniko resolves a relative --dockerfile against the working directory when that file exists, else inside the
 * context (`resolveDockerfilePath`). BuildKit resolves `--local dockerfile=` against its working directory, so the
 * path is rewritten to the one Kaniko would have used.
 */
function resolveDockerfile(ctx: CallState, rel: ShellText, use: FlagUse | undefined): ShellText | undefined {
  const context = ctx.plan.context;
  const ctxRel = repoRelative(context);
  if (ctxRel === '') return rel; // context is the working directory: both readings agree
  const relStatic = staticText(rel);
  if (relStatic !== undefined) {
    const inCwd = ctx.fileExists(normalise(relStatic));
    if (inCwd) return rel;
    if (ctxRel !== undefined) {
      const inContext = ctx.fileExists(normalise(`${ctxRel}/${relStatic}`));
      if (inContext) return joinPath(context, rel);
      if (inCwd === false && inContext === false) {
        ctx.report(
          'KB304',
          `--dockerfile ${relStatic}: found neither in the job folder nor in the context ${displayText(context)}; assumed inside the context, as Kaniko tries last`,
          use,
        );
        return joinPath(context, rel);
      }
    }
  }
  const shownRel = displayText(rel).replace(/^\.\//, '');
  const shownCtx = displayText(context).replace(/^\.\//, '');
  if ((shownCtx && shownRel.startsWith(`${shownCtx}/`)) || (ctxRel && shownRel.startsWith(`${ctxRel}/`))) {
    ctx.report(
      'KB304',
      `--dockerfile ${displayText(rel)}: could not check the repository; read as relative to the job folder, since it starts with the context path`,
      use,
    );
    return rel;
  }
  if (relStatic === undefined) return runtimeDockerfile(ctx, rel, context, use);
  ctx.report(
    'KB304',
    `--dockerfile ${displayText(rel)}: could not check the repository; read as relative to the context ${displayText(context)} (Kaniko first tries the job folder)`,
    use,
  );
  return joinPath(context, rel);
}

/**
 * A path only known at run time (`$DOCKERFILE_PATH`, which may hold an absolute path): the job resolves it as Kaniko's
 * `resolveDockerfilePath` does (`cmd/executor/cmd/root.go`): the path as given when it exists (`util.FilepathExists`,
 * an lstat: `-e` or a symlink), else joined to the context. The file name is the same either way. POSIX `test`,
 * `dirname` and `basename` (busybox has all three).
 */
function runtimeDockerfile(ctx: CallState, rel: ShellText, context: ShellText, use: FlagUse | undefined): undefined {
  const df = quotedWord(rel);
  const dir = `$(df=${df}; [ -e "$df" ] || [ -L "$df" ] || df=${quotedWord(context)}/"$df"; dirname "$df")`;
  ctx.report(
    'KB322',
    `--dockerfile ${displayText(rel)}: only known when the job runs, so the job resolves it as Kaniko did: as given when that file exists (an absolute path, or one relative to the job folder), else inside the context ${displayText(context)}`,
    use,
  );
  // Written `dockerfile="$(…)"`: the substitution is quoted (no field splitting), the flag's own words stay plain.
  ctx.plan.dockerfileDir = [{ kind: 'command', raw: `"${dir}"`, quoted: false }];
  ctx.plan.filename = [{ kind: 'command', raw: `"$(basename ${df})"`, quoted: false }];
  return undefined;
}

/** Shell text as one word with every expansion inside double quotes (the value of an assignment in `$(…)`). */
function quotedWord(text: ShellText): string {
  return renderWord(
    text.map((seg) => (seg.kind === 'literal' || seg.kind === 'glob' ? seg : { ...seg, quoted: true })),
  );
}

/** The context as a path relative to the repository root: '' for the root itself, undefined when unknown. */
function repoRelative(context: ShellText): string | undefined {
  const shown = displayText(context);
  const m = /^(?:\$\{CI_PROJECT_DIR\}|\$CI_PROJECT_DIR(?![A-Za-z0-9_]))(.*)$/.exec(shown);
  const rest = m ? m[1]! : shown;
  if (m && rest !== '' && !rest.startsWith('/')) return undefined;
  if (!m && (rest.startsWith('/') || staticText(context) === undefined)) return undefined;
  if (/[$`]/.test(rest)) return undefined;
  return normalise(rest.replace(/^\/+/, ''));
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return parts.join('/');
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
  // an input interpolation written in single quotes stays single-quoted (see renderWord)
  const quoted = path.some((s) => s.kind === 'interpolation' && s.single)
    ? quotedWord(path)
    : `"${displayText(path).replace(/"/g, '\\"')}"`;
  return {
    dir: [{ kind: 'command', raw: `$(dirname ${quoted})`, quoted: true }],
    file: [{ kind: 'command', raw: `$(basename ${quoted})`, quoted: true }],
  };
}
