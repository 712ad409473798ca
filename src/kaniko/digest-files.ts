/**
 * Kaniko's digest files (`--digest-file`, `--image-name-with-digest-file`, `--image-name-tag-with-digest-file`; Kaniko
 * `pkg/executor/push.go` `DoPush`), planned together and written after the build from buildctl's `--metadata-file`
 * with sed (the rootless image has no jq): `digest` holds `sha256:…` with no newline; the name files one line per
 * destination, `repo@sha256:…` or `repo:tag@sha256:…`.
 */
import { displayText, renderWord } from '../shell/quote.js';
import { shownValue, valueOf } from './define.js';
import { normaliseRepository, repositoryOf, tagOf } from './refs.js';
import type { CallState, FlagUse } from './types.js';

/** Where buildctl writes its metadata (HOME is writable for the rootless user). */
export const METADATA_FILE = '~/.buildkit-metadata.json';

const DIGEST = `sed -n 's/.*"containerimage.digest": *"\\([^"]*\\)".*/\\1/p' ${METADATA_FILE}`;

export function planDigestFiles(ctx: CallState): void {
  // Kaniko writes the tagged form into both name files when both are asked for.
  const tagged = ctx.all('image-name-tag-with-digest-file').length > 0;
  digestFile(ctx, ctx.last('digest-file'), 'digest', tagged);
  digestFile(ctx, ctx.last('image-name-with-digest-file'), 'name', tagged);
  digestFile(ctx, ctx.last('image-name-tag-with-digest-file'), 'name-tag', tagged);
}

function digestFile(ctx: CallState, use: FlagUse | undefined, kind: 'digest' | 'name' | 'name-tag', tagged: boolean) {
  if (!use) return;
  const file = renderWord(valueOf(use));
  if (/^https?:/.test(displayText(valueOf(use))))
    return ctx.report(
      'KB310',
      `${use.spelling} ${shownValue(use)}: Kaniko PUT the file to that URL; upload it in the script after the build (wget has no PUT in busybox)`,
      use,
    );
  ctx.plan.metadataFile = [{ kind: 'literal', text: METADATA_FILE, quote: 'none', tilde: true }];
  ctx.plan.after.push(`mkdir -p "$(dirname ${file})"`);
  if (kind === 'digest') {
    ctx.plan.after.push(`${DIGEST} | tr -d '\\n' > ${file}`);
    return;
  }
  if (ctx.vars.names.length)
    return ctx.report(
      'KB204',
      `${use.spelling}: the file lists every destination, and some come from ${ctx.vars.names.map((v) => v.label).join(', ')}, known only when the job runs; write the file by hand after the build`,
      use,
    );
  if (!ctx.destinations.length) return ctx.report('KB301', `${use.spelling} needs a --destination, as in Kaniko`, use);
  const lines = ctx.destinations.map((d) => {
    const repo = repositoryOf(d);
    const shown = repo ? renderWord(normaliseRepository(repo)) : `"$(echo ${renderWord(d)} | sed 's#:[^:/]*$##')"`;
    const tag =
      tagged || kind === 'name-tag'
        ? repo
          ? `:${renderWord(tagOf(d))}`
          : `:"$(echo ${renderWord(d)} | sed -n 's#.*:\\([^:/]*\\)$#\\1#p')"`
        : '';
    return `${shown}${tag}@"$DIGEST"`;
  });
  ctx.plan.after.push(`DIGEST=$(${DIGEST})`);
  ctx.plan.after.push(`printf '%s\\n' ${lines.join(' ')} > ${file}`);
}
