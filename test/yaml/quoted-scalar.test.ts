/**
 * A call in a quoted YAML scalar is edited in place; a character written as an escape (`\"`, `''`) at the end of the
 * call ends where its escape ends (found by the flag property test with more runs: the closing `"` was doubled).
 */
import { parse } from 'yaml';
import { migrateText } from '../../src/index.js';

const job = (item: string) =>
  `build:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n  script:\n    - ${item}\n`;

test.each([
  [
    'double-quoted, ending in \\"',
    `"/kaniko/executor --context app --destination r.example.com/g/app:1 --build-arg \\"P=two words\\""`,
    "--opt 'build-arg:P=two words'",
  ],
  [
    "single-quoted, ending in ''",
    `'/kaniko/executor --context app --destination r.example.com/g/app:1 --build-arg ''P=two words'''`,
    "--opt 'build-arg:P=two words'",
  ],
])('%s', async (_name, item, expected) => {
  const r = await migrateText(job(item));
  const file = r.files[0]!;
  expect(file.findings.filter((f) => f.severity === 'error' || f.severity === 'manual')).toEqual([]);
  const script = (parse(file.output) as { build: { script: string[] } }).build.script;
  expect(script.at(-1)).toContain(expected);
  expect(script.at(-1)).toMatch(/push=true$/);
});
