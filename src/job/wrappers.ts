/**
 * Executor wrappers the job writes itself: a here-document that writes a script calling the executor with fixed flags
 * and `"$@"`, made executable, then called with more flags:
 *
 *     cat <<-EOF > /kaniko/default-executor
 *     #!/busybox/sh
 *     /kaniko/executor --cache --context dir://$CI_PROJECT_DIR "\$@"
 *     EOF
 *     chmod +x /kaniko/default-executor
 *     …
 *     /kaniko/default-executor --dockerfile app/Dockerfile --destination $IMAGE
 *
 * Each call of the wrapper is a Kaniko call: the wrapper's flags, then the call's. The migrated job calls buildctl
 * directly there, and no longer writes the wrapper (it went to a Kaniko path the rootless user cannot create).
 */
import { parseScript } from '../shell/index.js';
import type { SimpleCommand } from '../shell/types.js';
import { executorIndex } from '../kaniko/call.js';
import type { HostItem, Wrapper } from './item.js';

/** Wrappers written by the job's items, by path. Only wrappers whose path no other command than `chmod` uses. */
export function findWrappers<I extends HostItem>(
  items: readonly I[],
  linesRemovable: (item: I) => boolean,
): Map<string, Wrapper<I>> {
  const out = new Map<string, Wrapper<I>>();
  for (const item of items) {
    if (!item.script.includes('<<') || !item.script.includes('executor') || !linesRemovable(item)) continue;
    for (const c of item.parsed.commands) {
      const w = readWrapper(item, c);
      if (w) out.set(w.path, w);
    }
  }
  for (const [path, w] of out) if (!addChmods(items, w)) out.delete(path);
  return out;
}

/**
 * Adds the `chmod +x PATH` lines of the wrapper's item to what is removed. False when another command uses the path
 * (other than calling it), which keeps the wrapper as it is.
 */
function addChmods<I extends HostItem>(items: readonly I[], w: Wrapper<I>): boolean {
  const home = w.removals[0]!.item;
  for (const item of items) {
    for (const c of item.parsed.commands) {
      if (w.commands.includes(c) || c.words[0]?.value === w.path) continue;
      if (![...c.words, ...c.redirects.map((r) => r.target)].some((x) => x.raw.includes(w.path))) continue;
      const chmod =
        item === home &&
        c.words[0]?.value === 'chmod' &&
        c.words.length === 3 &&
        c.words[2]!.value === w.path &&
        !c.redirects.length &&
        !c.enclosures.length;
      const removal = chmod ? lineRemoval(item, c.start, c.end, true) : undefined;
      if (!removal) return false;
      w.commands.push(c);
      w.removals.push({ item, ...removal });
    }
  }
  return true;
}

/** `cat <<[-]EOF > PATH` whose body is `[#!shebang]` and one executor call ending in `"$@"`. */
function readWrapper<I extends HostItem>(item: I, c: SimpleCommand): Wrapper<I> | undefined {
  if (c.words.length !== 1 || c.words[0]!.value !== 'cat' || c.enclosures.length || c.assignments.length)
    return undefined;
  const doc = c.redirects.find((r) => r.heredoc);
  const out = c.redirects.find((r) => r.op === '>' || r.op === '>|');
  if (!doc?.heredoc || !out || c.redirects.length !== 2 || out.target.value === undefined) return undefined;
  // An unquoted here-document expands when the wrapper is written: `\$` becomes `$`, `\<newline>` joins lines.
  const body = doc.heredoc.quoted
    ? doc.heredoc.body
    : doc.heredoc.body.replace(/\\\n/g, '').replace(/\\([$`\\])/g, '$1');
  const parsed = parseScript(body.replace(/^#!.*\n/, ''));
  const [call, more] = parsed.commands;
  if (
    parsed.errors.length ||
    !call ||
    more ||
    call.enclosures.length ||
    call.redirects.length ||
    executorIndex(call) !== 0
  )
    return undefined;
  const last = call.words[call.words.length - 1]!;
  if (last.raw !== '"$@"') return undefined;
  // The command's own line holds nothing else, and the terminator line ends the removal.
  if (item.script.slice(c.end, item.script.indexOf('\n', c.end)).trim() !== '') return undefined;
  const removal = lineRemoval(item, c.start, doc.heredoc.end, false);
  return (
    removal && {
      path: out.target.value,
      flags: call.words.slice(1, -1),
      commands: [c],
      removals: [{ item, ...removal }],
    }
  );
}

/**
 * The lines of the value holding value[start, end), through the line break after them, when nothing is before `start`
 * on its line (and, with `tail`, nothing after `end` on its line).
 */
function lineRemoval(
  item: HostItem,
  start: number,
  end: number,
  tail: boolean,
): { start: number; end: number } | undefined {
  const script = item.script;
  const nl = script.indexOf('\n', end);
  const lineEnd = nl < 0 ? script.length : nl;
  const lineStart = script.lastIndexOf('\n', start - 1) + 1;
  if (script.slice(lineStart, start).trim() !== '') return undefined;
  if (tail && script.slice(end, lineEnd).trim() !== '') return undefined;
  return { start: lineStart, end: nl < 0 ? lineEnd : nl + 1 };
}
