/**
 * `--build-arg` and `--reproducible`, the two build flags that are more than one `--opt` each (Kaniko
 * `cmd/executor/cmd/root.go` `resolveEnvironmentBuildArgs`; BuildKit `docs/build-repro.md`).
 */
import { field } from '../plan/build-plan.js';
import { concat, displayText, lit, staticText } from '../shell/quote.js';
import { valueOf } from './define.js';
import type { CallState, FlagUse } from './types.js';

/**
 * `--build-arg K=V` → `--opt build-arg:K=V`. `--build-arg K`: Kaniko reads K from its environment, empty when unset,
 * and buildctl up to v0.32 rejects `build-arg:K`, so it becomes `build-arg:K=${K}`.
 */
export function planBuildArgs(ctx: CallState, uses: readonly FlagUse[]): void {
  for (const use of uses) {
    const value = valueOf(use);
    const shown = displayText(value);
    if (value.some((s) => s.kind === 'literal' && s.text.includes('='))) {
      ctx.plan.opts.push(concat(lit('build-arg:'), value));
    } else if (staticText(value) !== undefined) {
      ctx.plan.opts.push(
        concat(lit('build-arg:'), value, lit('='), [{ kind: 'param', raw: `\${${shown}}`, name: shown, quoted: true }]),
      );
    } else {
      ctx.plan.opts.push(concat(lit('build-arg:'), value));
      ctx.report(
        'KB308',
        `--build-arg ${shown}: if the value holds no "=", buildctl rejects it where Kaniko read the variable from the environment`,
        use,
      );
    }
  }
}

/** `--reproducible` → `SOURCE_DATE_EPOCH=0` and `rewrite-timestamp=true` on the image outputs. */
export function planReproducible(ctx: CallState): void {
  if (ctx.bool('reproducible') !== true) return;
  ctx.plan.opts.push(lit('build-arg:SOURCE_DATE_EPOCH=0'));
  ctx.addAttr(field('rewrite-timestamp', lit('true')), { images: true });
  ctx.report(
    'KB316',
    "--reproducible: mapped to SOURCE_DATE_EPOCH=0 and rewrite-timestamp=true; builds are reproducible, but digests differ from Kaniko's (BuildKit keeps base-layer timestamps and sets created to the epoch)",
  );
}
