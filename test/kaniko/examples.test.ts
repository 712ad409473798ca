/**
 * Every flag-table entry's examples, run through read → plan → render with no YAML and no `sh`: the executor words are
 * read and planned with and without the flag's own words (in a repository of EXAMPLE_FILES), and what the flag adds
 * (buildctl words added or taken away, findings, buildkitd.toml lines, lines after the call) must be what the example says.
 */
import { renderCall, type RenderedCall } from '../../src/buildkit/render.js';
import { tomlLines } from '../../src/buildkit/toml.js';
import { readKanikoCall } from '../../src/kaniko/call.js';
import { planCall, planFragment, type CallPlan } from '../../src/kaniko/context.js';
import { FLAGS } from '../../src/kaniko/flags.js';
import { EXAMPLE_FILES, type Example, type KanikoFlag } from '../../src/kaniko/types.js';
import { displayText, renderWord } from '../../src/shell/quote.js';
import { parseScript } from '../../src/shell/index.js';
import type { SimpleCommand } from '../../src/shell/types.js';

const files = new Set(EXAMPLE_FILES);
const env = { fileExists: (path: string) => files.has(path) };

function command(kaniko: string): SimpleCommand {
  const parsed = parseScript(`/kaniko/executor ${kaniko}`);
  expect(parsed.errors).toEqual([]);
  expect(parsed.commands).toHaveLength(1);
  return parsed.commands[0]!;
}

/** The call's words as one list of strings: prefix words, each word group, the suffix. */
function words(r: RenderedCall): string[] {
  return [...r.prefix, ...r.groups.map((g) => g.join(' ')), ...(r.suffix ? [r.suffix.trim()] : [])];
}

/** Items of `after` not in `before`, each as many times as it is added. */
function added(before: readonly string[], after: readonly string[]): string[] {
  const left = [...before];
  return after.filter((x) => {
    const i = left.indexOf(x);
    if (i < 0) return true;
    left.splice(i, 1);
    return false;
  });
}

interface Outcome {
  planned: CallPlan;
  rendered: RenderedCall;
}

function plan(cmd: SimpleCommand): Outcome {
  const planned = planCall(readKanikoCall(cmd, 0), env);
  return { planned, rendered: renderCall(planned.plan) };
}

function runExample(flag: KanikoFlag, example: Example) {
  const cmd = command(example.kaniko);
  const call = readKanikoCall(cmd, 0);
  const own = call.uses.filter((u) => u.flag === flag);
  expect(own.length).toBeGreaterThan(0);
  const ownWords = new Set(own.flatMap((u) => [u.nameWord, ...(u.valueWord ? [u.valueWord] : [])]));
  const base = plan({ ...cmd, words: cmd.words.filter((w) => !ownWords.has(w)) });
  const full = plan(cmd);
  const codes = (o: Outcome) => o.planned.findings.map((f) => f.code);
  expect(added(codes(base), codes(full))).toEqual(example.findings ?? []);
  expect(full.planned.manual).toBe(example.manual === true);
  if (example.manual) return;
  const adds = added(words(base.rendered), words(full.rendered));
  expect(adds.join(' ')).toBe(example.buildctl);
  // A group gone from the call counts as removed unless a group of the same flag took its place (a changed value).
  const replaced = new Set(adds.map((w) => w.split(' ')[0]));
  const removes = added(words(full.rendered), words(base.rendered)).filter((w) => !replaced.has(w.split(' ')[0]));
  expect(removes.join(' ')).toBe(example.removes ?? '');
  expect(added(base.rendered.after, full.rendered.after)).toEqual(example.after ?? []);
  const toml = (o: Outcome) => tomlLines(o.planned.plan.registries.values()).map(displayText);
  expect(added(toml(base), toml(full))).toEqual(example.toml ?? []);
}

const cases = FLAGS.flatMap((flag) => flag.examples.map((example, i) => [flag.name, i + 1, flag, example] as const));

describe('flag table examples', () => {
  test('every entry has one or two examples', () => {
    const wrong = FLAGS.filter((f) => f.examples.length < 1 || f.examples.length > 2).map((f) => f.name);
    expect(wrong).toEqual([]);
  });

  test('every example names the flag of its entry', () => {
    for (const flag of FLAGS)
      for (const example of flag.examples) {
        const call = readKanikoCall(command(example.kaniko), 0);
        expect({ flag: flag.name, problems: call.problems.map((p) => p.text) }).toEqual({
          flag: flag.name,
          problems: [],
        });
        expect(call.uses.some((u) => u.flag === flag)).toBe(true);
      }
  });

  test.each(cases)('%s, example %d', (_name, _i, flag, example) => runExample(flag, example));
});

describe('a flag held in a variable', () => {
  const argsFlags = FLAGS.filter((f) => f.inVariable === 'args');
  const inCallOnly = FLAGS.filter((f) => f.mapping.action === 'map' && f.inVariable !== 'args');

  test.each(argsFlags.flatMap((f) => f.examples.map((e) => [f.name, f, e] as const)))(
    '%s passes the same buildctl words through',
    (_name, flag, example) => {
      const call = readKanikoCall(command(example.kaniko), 0);
      const fragment = planFragment({ ...call, uses: call.uses.filter((u) => u.flag === flag) }, env);
      if ('reason' in fragment) throw new Error(fragment.reason);
      expect(fragment.args.map((pair) => pair.map(renderWord).join(' ')).join(' ')).toBe(example.buildctl);
      expect(fragment.findings.map((f) => f.code)).toEqual(example.findings ?? []);
    },
  );

  test.each(inCallOnly.map((f) => [f.name, f] as const))('%s says it only works inside the call', (_name, flag) => {
    const call = readKanikoCall(command(flag.examples[0]!.kaniko), 0);
    const fragment = planFragment({ ...call, uses: call.uses.filter((u) => u.flag === flag) }, env);
    expect(fragment).toEqual({ reason: expect.stringContaining('only works inside the executor call') });
  });
});
