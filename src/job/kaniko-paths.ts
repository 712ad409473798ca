/**
 * Paths of the Kaniko image that the rest of a job's script uses. The BuildKit image is Alpine with busybox in PATH,
 * so `/busybox/sh` becomes `sh`; an executor call hidden in a string (`sh -c "…"`, `eval`) and any other `/kaniko/…`
 * file (custom CA bundle, warmer) are left for a person with the exact path.
 */
import type { ParsedScript, SimpleCommand, Word } from '../shell/types.js';
import { movesDockerDir } from './auth.js';
import type { ValueEdit } from '../text/value-edit.js';
import { inItem } from '../findings/finding.js';
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
  /** Value edits: `/busybox/x` → `x`, `/kaniko/ssl/certs` → `~/.ssl/certs`. */
  edits: { item: I; edit: ValueEdit }[];
  findings: PathFinding<I>[];
  /** Where CERT_SETUP must go: before the first command that uses the CA folder. */
  certSetupBefore?: { item: I; offset: number };
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
      const hidden = words.find((w) => w.raw.includes('/kaniko/executor'))?.start ?? hiddenInHeredoc(c);
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
      const stray = words.find((w) => KANIKO_PATH.test(w.raw.split(KANIKO_CERTS).join('')) && !movesDockerDir(w.raw));
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
  return { edits, findings, certSetupBefore };
}
