/**
 * Finding messages quote the text they are about: a flag given an empty value (`--flag=`) still shows in the message
 * as `""`, never as an empty gap (`--flag  is …`, `( …)`).
 */
import { FLAGS } from '../../src/kaniko/flags.js';
import { migrateText } from '../../src/index.js';

const job = (args: string) =>
  `build:\n  image: { name: gcr.io/kaniko-project/executor:debug, entrypoint: [""] }\n  script:\n    - /kaniko/executor --context . --destination r.example/x:1 ${args}\n`;

const EMPTY_GAP = /\(\s*…?\)|\( | {2}|\s[,:;]\s/;

test.each(FLAGS.filter((f) => f.kind !== 'bool').map((f) => f.spellings[0]!))(
  '%s="": messages show the value',
  async (s) => {
    const result = await migrateText(job(`${s}=""`));
    const gaps = result.files.flatMap((f) => f.findings).filter((f) => EMPTY_GAP.test(f.message));
    expect(gaps.map((f) => `${f.code}: ${f.message}`)).toEqual([]);
  },
);
