/**
 * The two paths agree: for each generator fixture, running the generator before migration and migrating its YAML
 * output with the YAML path gives the same jobs (as data) as running the migrated generator. The migrated generator's
 * output also needs nothing more from the YAML path. For gcix, the replacement code KB503 gives is written in place of
 * `new KanikoExecute(…)` and run (both tag branches: main, which also pushes :latest, and a feature branch).
 *
 * Jobs compare as parsed YAML data. A case with `"compare": "shell-words"` (templates: placeholders in the calls) compares
 * script lines as the shell reads them instead: a placeholder's value is unknown to the planner, so it keeps the quotes
 * around `"context=${dir}"` that the YAML path, seeing the generated `"services/cart"`, may drop.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { migrateTypeScriptSources } from '../../src/project/generators.js';
import {
  caseOptions,
  copyWith,
  migrateYamlData,
  offsetAt,
  runGenerator,
  shellWords,
  transpileProject,
  tsCases,
  TS_FIXTURES,
} from './support.js';

const generatorCases = tsCases().filter((c) => caseOptions(c).generator && c !== 'gcix');

describe.each(generatorCases)('generator %s: the TypeScript path and the YAML path give the same jobs', (name) => {
  const input = path.join(TS_FIXTURES, name, 'input');
  const opts = caseOptions(name);

  test('generate → migrate YAML  ==  migrate generator → generate', async () => {
    const before = runGenerator(transpileProject(input), opts.generator!);
    const viaYaml = await migrateYamlData(before, input);
    expect(viaYaml.changed).toBe(true); // the fixture has Kaniko jobs
    expect(viaYaml.manual).toBe(0);

    const files = await migrateTypeScriptSources(input, { sources: opts.sources });
    const migrated = copyWith(
      input,
      new Map(files.filter((f) => f.changed).map((f) => [f.path, f.output])),
      `${name}-gen`,
    );
    const after = runGenerator(transpileProject(migrated), opts.generator!);
    if (opts.compare === 'shell-words') expect(shellWords(after)).toEqual(shellWords(viaYaml.data));
    else expect(after).toEqual(viaYaml.data);
    expect(after).not.toEqual(before);

    // the migrated generator's pipeline is already migrated for the YAML path too
    const again = await migrateYamlData(after, input);
    expect(again.changed).toBe(false);
  }, 60000);
});

describe('generator gcix: the KB503 replacement code renders the job the YAML path makes of KanikoExecute', () => {
  const input = path.join(TS_FIXTURES, 'gcix', 'input');
  const opts = caseOptions('gcix');

  test.each([
    ['main', { CI_COMMIT_REF_SLUG: 'main' }],
    ['a feature branch', { CI_COMMIT_REF_SLUG: 'feature-x' }],
  ])(
    'on %s',
    async (_label, env) => {
      const before = runGenerator(transpileProject(input), opts.generator!, env);
      const viaYaml = await migrateYamlData(before, input);
      expect(viaYaml.changed).toBe(true);
      expect(viaYaml.manual).toBe(0);

      const files = await migrateTypeScriptSources(input, { sources: opts.sources });
      const finding = files.flatMap((f) => f.findings).find((f) => f.code === 'KB503')!;
      expect(finding).toBeDefined();
      const [, code, imports] =
        /write this instead:\n([\s\S]*?\n\}\))(?:\n\(add ([^)]*) to the import from '([^']*)'\))?/.exec(
          finding.message,
        ) ?? [];
      expect(code).toBeDefined();

      // Put the replacement where `new KanikoExecute(…)` stood, and add the imports it names.
      const file = path.join(input, finding.file);
      const text = fs.readFileSync(file, 'utf8');
      const at = offsetAt(text, finding.line, finding.column ?? 1);
      const sf = ts.createSourceFile(finding.file, text, ts.ScriptTarget.Latest, true);
      let end = -1;
      const visit = (n: ts.Node): void => {
        if (ts.isNewExpression(n) && n.getStart(sf) === at) end = n.getEnd();
        else ts.forEachChild(n, visit);
      };
      visit(sf);
      expect(end).toBeGreaterThan(at);
      const spec = /from '([^']*gcix[^']*)'/.exec(text)![1];
      const replaced = `${imports ? `import { ${imports} } from '${spec}';\n` : ''}${text.slice(0, at)}${code}${text.slice(end)}`;
      const project = copyWith(input, { [finding.file]: replaced }, 'gcix-replaced');
      const after = runGenerator(transpileProject(project), opts.generator!, env);
      expect(after).toEqual(viaYaml.data);
      expect((await migrateYamlData(after, input)).changed).toBe(false);
    },
    60000,
  );
});
