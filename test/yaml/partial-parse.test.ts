/**
 * The verification's read-back of a migrated file composes only what its checks look at (src/yaml/partial-parse.ts):
 * the edited entries, the entries asked for, and what those alias or `!reference`. Anything unexpected falls back to
 * parsing the whole text, so an error still names its line in the real file.
 */
import { parseKept } from '../../src/yaml/partial-parse.js';
import { applyEdits, type TextEdit } from '../../src/text/edits.js';
import { migrateText } from '../../src/index.js';
import { InputError, jobsMap, parseSource } from '../../src/pipeline/source.js';
import { keyName } from '../../src/pipeline/jobs.js';

const BEFORE = `# a pipeline
stages: [test, build]
.defaults: &defaults
  retry: 1
unrelated:
  script: [echo unrelated]
.tpl:
  script:
    - echo from the template
build:
  <<: *defaults
  image: gcr.io/kaniko-project/executor:debug
  script:
    - !reference [.tpl, script]
    - /kaniko/executor --context . --destination x
other: &other
  script: [echo other]
last:
  script: |+
    echo last

# trailing comment
`;

const file = parseSource('.gitlab-ci.yml', BEFORE);
const at = (needle: string) => BEFORE.indexOf(needle);
const keys = (text: string) => (jobsMap(parseSource('x.yml', text))?.items ?? []).map((p) => keyName(p));

/** An edit replacing `from` (its first occurrence) with `to`. */
function replace(from: string, to: string): TextEdit {
  return { file: file.path, start: at(from), end: at(from) + from.length, text: to };
}

describe('parseKept', () => {
  test('keeps the edited entry, the entries it aliases and !references, the ones asked for, and nothing else', () => {
    const edits = [
      replace(
        '/kaniko/executor --context . --destination x',
        'buildctl-daemonless.sh build --output type=image,name=x,push=true',
      ),
    ];
    const output = applyEdits(BEFORE, edits);
    const read = parseKept(file, output, edits, { names: new Set(['stages']), offsets: [] });
    expect(keys(read.text)).toEqual(['stages', '.defaults', '.tpl', 'build']);
    // the kept entries are byte for byte the migrated text, and read as the whole text reads them
    const whole = parseSource(file.path, output).docs[0]!.toJS({ merge: true }) as Record<string, unknown>;
    const part = read.docs[0]!.toJS({ merge: true }) as Record<string, unknown>;
    for (const k of ['stages', '.defaults', '.tpl', 'build']) expect(part[k]).toEqual(whole[k]);
    expect(read.text).toContain('buildctl-daemonless.sh build --output type=image,name=x,push=true');
    expect(read.text).not.toContain('unrelated');
  });

  test('an entry asked for by an offset inside it is kept, and a block scalar ending an entry reads as in the whole text', () => {
    const edits = [replace('echo other', 'echo changed')];
    const output = applyEdits(BEFORE, edits);
    const read = parseKept(file, output, edits, { names: new Set(), offsets: [at('echo last')] });
    expect(keys(read.text)).toEqual(['other', 'last']);
    // a `|+` block keeps its trailing empty line: the entry ends where the next key (or the mapping) ends
    expect((read.docs[0]!.toJS() as Record<string, { script: string }>).last.script).toBe('echo last\n\n');
  });

  test('an edit that leaves a quote open is reported at its line in the whole migrated text', () => {
    const edits = [replace('echo other', '"echo other')];
    const output = applyEdits(BEFORE, edits);
    let thrown: unknown;
    try {
      parseKept(file, output, edits, { names: new Set(), offsets: [] });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(InputError);
    // the same error, at the same place, as a parse of the whole text gives
    expect(() => parseSource(file.path, output)).toThrow((thrown as Error).message);
    const whole = (() => {
      try {
        parseSource(file.path, output);
      } catch (e) {
        return e as InputError;
      }
    })();
    expect([(thrown as InputError).line, (thrown as InputError).column]).toEqual([whole!.line, whole!.column]);
  });

  test('a file whose jobs mapping is a flow mapping is parsed whole', () => {
    const flow = parseSource('f.yml', '{a: {script: [echo a]}, b: {script: [echo b]}}\n');
    const edits: TextEdit[] = [
      { file: 'f.yml', start: flow.text.indexOf('echo b'), end: flow.text.indexOf('echo b') + 6, text: 'echo c' },
    ];
    const output = applyEdits(flow.text, edits);
    expect(parseKept(flow, output, edits, { names: new Set(), offsets: [] }).text).toBe(output);
  });
});

describe('verification of a long pipeline reads back only the Kaniko part, and still catches what it must', () => {
  const jobs = Array.from({ length: 200 }, (_, i) => `test-${i}:\n  <<: *defaults\n  script: [npm test]\n`).join('');
  const text = `.defaults: &defaults\n  retry: 1\n${jobs}build:\n  image: gcr.io/kaniko-project/executor:debug\n  script:\n    - /kaniko/executor --context . --destination x\n`;

  test('the Kaniko job is migrated and every other job is byte for byte the same', async () => {
    const r = await migrateText(text);
    expect(r.jobs.map((j) => j.status)).toEqual(['migrated']);
    const out = r.files[0]!.output;
    expect(out.slice(0, out.indexOf('build:'))).toBe(text.slice(0, text.indexOf('build:')));
  });
});
