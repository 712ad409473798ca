/**
 * Paths of the Kaniko image, and paths the rootless user (uid 1000, `HOME=/home/user`) cannot write, that the rest
 * of a job's script uses. The BuildKit image is Alpine with busybox in PATH, so `/busybox/sh` becomes `sh`; a log line
 * naming the executor names buildctl (`$(/kaniko/executor version)` becomes `$(buildctl --version)`); a scratch file
 * the job writes under `/kaniko/` or at `/` and reads back moves under `$HOME` in every command; a CA bundle the job
 * appends to becomes a copy under `~/.ssl` that `SSL_CERT_FILE` names; any other write outside the writable places
 * is a warning naming the line. An executor call hidden in a string (`sh -c "…"`, `eval`) and any other `/kaniko/…`
 * file (warmer, a file read there) are left for a person with the exact path. The rootless image: moby/buildkit
 * `Dockerfile` (`rootless` stage: `USER 1000:1000`, `ENV HOME=/home/user`).
 */
import type { ParsedScript, SimpleCommand, Word } from '../shell/types.js';
import { movesDockerDir } from './auth.js';
import type { ValueEdit } from '../text/value-edit.js';
import { inItem } from '../findings/finding.js';
import { messages } from '../findings/registry.js';
import type { ItemFinding } from '../findings/types.js';

/** A finding in one script item. */
export type PathFinding<I> = ItemFinding<I>;

const KANIKO_PATH = /(^|[^A-Za-z0-9_.])\/(kaniko|busybox)\//;
/** Kaniko's image sets SSL_CERT_DIR=/kaniko/ssl/certs; jobs append custom CAs there. */
const KANIKO_CERTS = '/kaniko/ssl/certs';
const HOME_CERTS = '.ssl/certs';
/** Go (buildctl, buildkitd) reads every file in SSL_CERT_DIR on top of the system bundle, as Kaniko did. */
export const CERT_SETUP = ['mkdir -p ~/.ssl/certs', 'export SSL_CERT_DIR="$HOME/.ssl/certs"'];

function certEdits(w: Word): ValueEdit[] {
  const out: ValueEdit[] = [];
  let from = 0;
  for (let i = w.raw.indexOf(KANIKO_CERTS, from); i >= 0; i = w.raw.indexOf(KANIKO_CERTS, from)) {
    from = i + KANIKO_CERTS.length;
    const quotedBefore = /['"]/.test(w.raw.slice(0, i));
    const text =
      i === 0 && !quotedBefore
        ? `~/${HOME_CERTS}`
        : w.raw.slice(0, i).split("'").length % 2 === 0
          ? `'"$HOME"'/${HOME_CERTS}`
          : `$HOME/${HOME_CERTS}`;
    out.push({ start: w.start + i, end: w.start + from, parts: [text], join: 'soft', multiline: false });
  }
  return out;
}

/** What the script items (shell readings of YAML scalars, TypeScript literals, a plain script) do with Kaniko paths. */
export interface KanikoPaths<I> {
  /** Value edits: `/busybox/x` → `x`, `/kaniko/ssl/certs` → `~/.ssl/certs`, moved files → `$HOME/…`. */
  edits: { item: I; edit: ValueEdit }[];
  findings: PathFinding<I>[];
  /** Where CERT_SETUP must go: before the first command that uses the CA folder. */
  certSetupBefore?: { item: I; offset: number };
  /** Other lines to add before a command (BUNDLE_SETUP before the first use of a CA bundle the job appends to). */
  setupBefore: { item: I; offset: number; lines: string[] }[];
}

/** The system CA bundle of Alpine (the rootless image's base), root-owned; `/etc/ssl/cert.pem` links to it. */
const CA_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/ssl/cert.pem'];
const HOME_BUNDLE = '.ssl/ca-certificates.crt';
/** A copy of the system bundle the job can append to; Go (buildctl, buildkitd) reads SSL_CERT_FILE instead of it. */
export const BUNDLE_SETUP = [
  'mkdir -p ~/.ssl',
  `cp ${CA_BUNDLES[0]} ~/${HOME_BUNDLE}`,
  `export SSL_CERT_FILE="$HOME/${HOME_BUNDLE}"`,
];
/** Places uid 1000 can write in the rootless image (its home, the temp dirs, devices, the GitLab build dir). */
const WRITABLE = /^\/(tmp|var\/tmp|dev|proc|builds|home\/user|run\/user)(\/|$)/;
/** Files of the Kaniko image (or settings folders other parts move) that are not the job's own scratch files. */
const KANIKO_OWN = /^(executor|warmer|\.docker|ssl|docker-credential-.*|Dockerfile|buildcontext)$/;
/** The path characters around a path inside a word: what may stand before it, and what may not follow it. */
const BEFORE = /^$|[\s"'=:,(]$/;
const PATH_CHAR = /^[A-Za-z0-9_./-]/;

/** Static absolute paths a command writes: redirection targets, `tee`/`touch`/`mkdir` operands, `cp`/`mv` targets. */
function writtenWords(c: SimpleCommand): Word[] {
  const out = c.redirects.filter((r) => ['>', '>>', '>|', '<>'].includes(r.op)).map((r) => r.target);
  const head = c.words[0]?.value;
  const operands = c.words.slice(1).filter((w) => !(w.value ?? w.raw).startsWith('-'));
  if (head === 'tee' || head === 'touch' || head === 'mkdir') for (const w of operands) out.push(w);
  if ((head === 'cp' || head === 'mv' || head === 'install' || head === 'ln') && operands.length >= 2)
    out.push(operands.at(-1)!);
  return out.filter((w) => w.value?.startsWith('/'));
}

/** Where `path` stands as a whole path inside a raw word (offsets into the raw text). */
function occurrences(raw: string, path: string): number[] {
  const out: number[] = [];
  for (let i = raw.indexOf(path); i >= 0; i = raw.indexOf(path, i + 1))
    if (BEFORE.test(raw.slice(0, i)) && !PATH_CHAR.test(raw.slice(i + path.length))) out.push(i);
  return out;
}

/** `path` → `~/rel` or `$HOME/rel` (or `'"$HOME"'/rel` inside single quotes) wherever it stands whole in the word. */
function homeEdits(w: Word, path: string, rel: string): ValueEdit[] {
  return occurrences(w.raw, path).map((i) => {
    const before = w.raw.slice(0, i);
    const text = i === 0 ? `~/${rel}` : before.split("'").length % 2 === 0 ? `'"$HOME"'/${rel}` : `$HOME/${rel}`;
    return { start: w.start + i, end: w.start + i + path.length, parts: [text], join: 'soft', multiline: false };
  });
}

/** A command as written, for a message: its words and redirections, shortened. */
function lineOf(c: SimpleCommand): string {
  const text = [
    ...[...c.assignments, ...c.words].map((w) => w.raw),
    ...c.redirects.map((r) => `${r.fd ?? ''}${r.op} ${r.target.raw}`),
  ]
    .join(' ')
    .replace(/\s*\\?\r?\n\s*/g, ' ');
  return text.length > 100 ? `${text.slice(0, 97)}…` : text;
}

/** `$(/kaniko/executor version)` (or `--version`, or in backquotes): the version a log line prints. */
const VERSION_CALL = /(\$\(|`)(\s*)\/kaniko\/executor\s+(?:--)?version(\s*)(?=\)|`)/g;
const EXECUTOR = '/kaniko/executor';

/** echo/printf writing to the job log: to no file (stderr is the log too) and into no pipe. */
function toLog(c: SimpleCommand): boolean {
  const head = c.words[0]?.value;
  return (
    (head === 'echo' || head === 'printf') &&
    !c.enclosures.includes('pipeline') &&
    !c.redirects.some((r) => r.op.includes('>') && r.fd !== 2 && !(r.op === '>&' && r.target.value === '2'))
  );
}

/**
 * A log line naming the executor: its version → `buildctl --version`, the path in the text → the buildctl command;
 * undefined when the executor stands in another command substitution (a hidden call, KB210).
 */
function logLineEdits(w: Word): ValueEdit[] | undefined {
  const edits: ValueEdit[] = [];
  let rest = w.raw;
  for (const m of w.raw.matchAll(VERSION_CALL)) {
    const start = m.index + m[1]!.length + m[2]!.length;
    const end = m.index + m[0].length - m[3]!.length;
    edits.push({
      start: w.start + start,
      end: w.start + end,
      parts: ['buildctl --version'],
      join: 'soft',
      multiline: false,
    });
    rest = rest.slice(0, start) + ' '.repeat(end - start) + rest.slice(end);
  }
  const substitutions = w.segments.filter((g) => g.kind === 'command').map((g) => g.raw.replace(VERSION_CALL, ''));
  if (substitutions.some((raw) => raw.includes(EXECUTOR))) return undefined;
  for (let i = rest.indexOf(EXECUTOR); i >= 0; i = rest.indexOf(EXECUTOR, i + 1))
    edits.push({
      start: w.start + i,
      end: w.start + i + EXECUTOR.length,
      parts: ['buildctl-daemonless.sh build'],
      join: 'soft',
      multiline: false,
    });
  return edits;
}

/** A file the job writes at a path uid 1000 cannot create, and what becomes of it. */
interface Moved {
  path: string;
  /** `$HOME`-relative path it moves to, when it moves. */
  to?: string;
  kind: 'scratch' | 'bundle';
}

/**
 * The files the job writes where uid 1000 cannot and that move under `$HOME`: a CA bundle it appends to, a
 * `/kaniko/NAME` or `/NAME` it writes and reads back, each only when no executor call and no here-document names it
 * (the call is rewritten from its own words; a here-document is a script the job writes).
 */
function movedFiles<I extends { parsed: ParsedScript }>(
  items: readonly I[],
  calls: Set<SimpleCommand>,
): Map<string, Moved> {
  const commands = items.flatMap((i) => i.parsed.commands.filter((c) => !calls.has(c)));
  const words = (c: SimpleCommand) => [...c.assignments, ...c.words, ...c.redirects.map((r) => r.target)];
  const mentions = (path: string) => commands.flatMap((c) => words(c)).filter((w) => occurrences(w.raw, path).length);
  const hidden = (path: string) =>
    [...calls].some((c) => words(c).some((w) => w.raw.includes(path))) ||
    items.some((i) => i.parsed.commands.some((c) => c.redirects.some((r) => r.heredoc?.body.includes(path))));
  const out = new Map<string, Moved>();
  for (const c of commands)
    for (const w of writtenWords(c)) {
      const path = w.value!;
      // A folder the job fills (`/workspace/…`) moves only with every path under it: left as it is (KB415).
      const folder = commands.some((x) => words(x).some((y) => y.raw.includes(`${path}/`)));
      if (out.has(path) || hidden(path) || folder) continue;
      if (CA_BUNDLES.includes(path)) out.set(path, { path, to: HOME_BUNDLE, kind: 'bundle' });
      const name = /^\/(?:kaniko\/)?([^/]+)$/.exec(path)?.[1];
      if (!name || KANIKO_OWN.test(name) || !mentions(path).some((m) => m !== w)) continue;
      out.set(path, { path, to: name, kind: 'scratch' });
    }
  return out;
}

/** Shared by the YAML jobs, the TypeScript front end and `migrateScriptText`; `calls` are the executor calls (skipped). */
/** Where a here-document of the command holds an executor call (a script the job writes), or undefined. */
function hiddenInHeredoc(c: SimpleCommand): number | undefined {
  const r = c.redirects.find((x) => x.heredoc?.body.includes('/kaniko/executor'));
  return r?.heredoc && r.heredoc.start + r.heredoc.body.indexOf('/kaniko/executor');
}

export function scanKanikoPaths<I extends { parsed: ParsedScript }>(
  items: readonly I[],
  calls: Set<SimpleCommand>,
): KanikoPaths<I> {
  const edits: { item: I; edit: ValueEdit }[] = [];
  const findings: PathFinding<I>[] = [];
  let certSetupBefore: { item: I; offset: number } | undefined;
  const setupBefore: { item: I; offset: number; lines: string[] }[] = [];
  const moved = movedFiles(items, calls);
  const reported = new Set<string>();
  let setUp = false;
  for (const item of items) {
    for (const c of item.parsed.commands) {
      if (calls.has(c)) continue;
      const head = c.words[0];
      const applet = head?.value !== undefined ? /^\/busybox\/([a-z0-9_.[-]+)$/.exec(head.value)?.[1] : undefined;
      if (head && applet) {
        edits.push({
          item,
          edit: { start: head.start, end: head.end, parts: [applet], join: 'soft', multiline: false },
        });
        findings.push(
          inItem(
            'KB406',
            `${head.value} becomes ${applet}: the BuildKit image has busybox applets in PATH, not under /busybox`,
            item,
            head.start,
          ),
        );
      }
      const words: Word[] = [...c.assignments, ...c.words.slice(applet ? 1 : 0), ...c.redirects.map((r) => r.target)];
      const naming = words.filter((w) => w.raw.includes(EXECUTOR));
      const logEdits = naming.length && toLog(c) ? naming.map(logLineEdits) : undefined;
      if (logEdits?.every((e) => e !== undefined)) {
        // A log line, not a call: it now names what runs instead.
        for (const e of logEdits.flat()) edits.push({ item, edit: e });
        const parts = logEdits.flat().map((e) => e.parts[0]);
        const says = {
          names: parts.includes('buildctl-daemonless.sh build'),
          version: parts.includes('buildctl --version'),
        };
        findings.push(inItem('KB219', messages('KB219').logLine(lineOf(c), says), item, naming[0]!.start));
      }
      const hidden = logEdits?.every((e) => e !== undefined)
        ? hiddenInHeredoc(c)
        : (words.find((w) => w.raw.includes(EXECUTOR))?.start ?? hiddenInHeredoc(c));
      if (hidden !== undefined) {
        findings.push(
          inItem(
            'KB210',
            `an executor call inside a string or a script the job writes (${c.words
              .slice(0, 2)
              .map((w) => w.raw)
              .join(' ')} …) is not rewritten; run it directly in the script, or rewrite it by hand`,
            item,
            hidden,
          ),
        );
        continue;
      }
      const certs = words.filter((w) => w.raw.includes(KANIKO_CERTS));
      if (certs.length) {
        for (const w of certs) for (const edit of certEdits(w)) edits.push({ item, edit });
        certSetupBefore ??= { item, offset: c.start };
        findings.push(
          inItem(
            'KB407',
            `${KANIKO_CERTS} (Kaniko's SSL_CERT_DIR) becomes ~/${HOME_CERTS}, a folder the rootless user can write, exported as SSL_CERT_DIR for buildctl and buildkitd`,
            item,
            certs[0]!.start,
          ),
        );
      }
      // Files moved under $HOME: every mention in the job's commands, the finding at the first write.
      const movedHere = new Set<string>();
      for (const m of moved.values())
        for (const w of words) {
          const e = homeEdits(w, m.path, m.to!);
          if (!e.length) continue;
          movedHere.add(m.path);
          for (const edit of e) edits.push({ item, edit });
          if (m.kind === 'bundle' && !setUp) {
            setUp = true;
            setupBefore.push({ item, offset: c.start, lines: BUNDLE_SETUP });
          }
          if (!reported.has(m.path) && writtenWords(c).some((x) => x.value === m.path)) {
            reported.add(m.path);
            findings.push(
              m.kind === 'bundle'
                ? inItem('KB413', messages('KB413').bundle(m.path, HOME_BUNDLE), item, w.start)
                : inItem('KB414', messages('KB414').moved(m.path, m.to!), item, w.start),
            );
          }
        }
      for (const w of writtenWords(c)) {
        const path = w.value!;
        if (moved.has(path) || WRITABLE.test(path) || /^\/(kaniko|busybox)(\/|$)|^\/root\/\.docker(\/|$)/.test(path))
          continue;
        findings.push(inItem('KB415', messages('KB415').unwritable(path, lineOf(c)), item, w.start));
      }
      const handled = (raw: string) =>
        [...movedHere, KANIKO_CERTS, ...(logEdits?.every((e) => e !== undefined) ? [EXECUTOR] : [])].reduce(
          (r, p) => r.split(p).join(''),
          raw,
        );
      const stray = words.find((w) => KANIKO_PATH.test(handled(w.raw)) && !movesDockerDir(w.raw));
      if (stray) {
        const path = /\/(kaniko|busybox)\/[^\s"'`;|&)]*/.exec(stray.raw)?.[0] ?? stray.raw;
        findings.push(
          inItem(
            'KB404',
            `${path} is a path of the Kaniko image; the BuildKit image has no such file. Rewrite this command by hand (custom CAs: see \`kaniko2buildkit explain KB404\`)`,
            item,
            stray.start,
          ),
        );
      }
    }
  }
  return { edits, findings, certSetupBefore, setupBefore };
}
