/**
 * The finding-code registry: every entry complete, keys sorted and unique within their hundred, `Code` derived from
 * the keys (an undocumented code does not compile: checked with the compiler), severity from the registry, the shared
 * job-recipe messages word for word, and `explain`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { INPUT_CODES } from '../src/findings/codes/kb1-input.js';
import { JOB_CODES } from '../src/findings/codes/kb2-jobs.js';
import { FLAG_CODES } from '../src/findings/codes/kb3-flags.js';
import { AUTH_PATH_CODES } from '../src/findings/codes/kb4-auth-paths.js';
import { GENERATOR_CODES } from '../src/findings/codes/kb5-generators.js';
import { TEMPLATE_CODES } from '../src/findings/codes/kb6-templates.js';
import { COMPARE_CODES } from '../src/findings/codes/kb7-compare.js';
import { DOCTOR_CODES } from '../src/findings/codes/kb8-doctor.js';
import { RUNNER_CONFIG_CODES } from '../src/findings/codes/kb9-runner-config.js';
import { finding, place, unplaced } from '../src/findings/finding.js';
import { CODES, codeDoc, isCode, messages, REGISTRY, requireCode, severityOf } from '../src/findings/registry.js';
import { runCli } from './helpers.js';

const TABLES: [file: string, hundred: string, table: object][] = [
  ['kb1-input.ts', '1', INPUT_CODES],
  ['kb2-jobs.ts', '2', JOB_CODES],
  ['kb3-flags.ts', '3', FLAG_CODES],
  ['kb4-auth-paths.ts', '4', AUTH_PATH_CODES],
  ['kb5-generators.ts', '5', GENERATOR_CODES],
  ['kb6-templates.ts', '6', TEMPLATE_CODES],
  ['kb7-compare.ts', '7', COMPARE_CODES],
  ['kb8-doctor.ts', '8', DOCTOR_CODES],
  ['kb9-runner-config.ts', '9', RUNNER_CONFIG_CODES],
];

/** Type-checks `text` as a file of test/ (so `../src/…` imports resolve) and returns the compiler's messages. */
function compile(text: string): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const file = join(process.cwd(), 'test', '__undocumented_code__.ts');
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) =>
    name === file ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}

describe('finding codes', () => {
  test('every entry says what differs, what the tool does and what to do', () => {
    expect(CODES.length).toBeGreaterThan(70);
    for (const c of CODES) {
      expect(c.code).toMatch(/^KB\d{3}$/);
      expect(['info', 'warning', 'manual', 'error']).toContain(c.severity);
      for (const text of [c.title, c.explanation, c.action, c.todo]) expect(text.length).toBeGreaterThan(3);
    }
  });

  test('each code file holds its own hundred, sorted; together they are the registry, each code once', () => {
    const all: string[] = [];
    for (const [file, hundred, table] of TABLES) {
      const keys = Object.keys(table);
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(k).toMatch(new RegExp(`^KB${hundred}\\d\\d$`));
      expect(keys).toEqual([...keys].sort());
      // The key order in the file is the order in the object: the source lists them sorted too.
      const inSource = [
        ...readFileSync(join('src', 'findings', 'codes', file), 'utf8').matchAll(/^ {2}(KB\d{3}): \{$/gm),
      ];
      expect(inSource.map((m) => m[1])).toEqual(keys);
      all.push(...keys);
    }
    expect(new Set(all).size).toBe(all.length);
    expect(Object.keys(REGISTRY).sort()).toEqual(all);
    expect(CODES.map((c) => c.code)).toEqual(all);
  });

  test('an undocumented code does not compile; a documented one does', () => {
    const prelude = "import { finding } from '../src/findings/finding.js';\n";
    expect(compile(`${prelude}finding('KB204', 'm', { file: 'f', line: 1 });\n`)).toEqual([]);
    const errors = compile(`${prelude}finding('KB999', 'm', { file: 'f', line: 1 });\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^TS2345: Argument of type '"KB999"' is not assignable to parameter of type /);
  });

  test('severity comes from the registry', () => {
    for (const c of CODES) {
      expect(severityOf(c.code)).toBe(c.severity);
      expect(requireCode(c.code)).toBe(c);
      expect(isCode(c.code)).toBe(true);
    }
    expect(isCode('KB999')).toBe(false);
    expect(codeDoc('kb204')?.code).toBe('KB204');
    expect(finding('KB103', 'm', { file: 'a.yml', line: 2, column: 3 })).toEqual({
      code: 'KB103',
      severity: 'info',
      file: 'a.yml',
      line: 2,
      column: 3,
      message: 'm',
    });
    // Keys in the order the reports have always written them.
    expect(Object.keys(finding('KB106', 'm', { file: 'a.yml', line: 0, column: 1, job: 'j' }))).toEqual([
      'code',
      'severity',
      'file',
      'line',
      'column',
      'job',
      'message',
    ]);
    const u = unplaced('KB313', 'm', 4);
    // Not placed yet: no severity is carried either; it is the code's, wherever the finding is placed.
    expect(u).toEqual({ code: 'KB313', message: 'm', offset: 4 });
    expect('offset' in unplaced('KB313', 'm')).toBe(false);
    expect(place(u, { file: 'a.yml', line: 1 })).toEqual({
      code: 'KB313',
      severity: 'warning',
      file: 'a.yml',
      line: 1,
      message: 'm',
    });
  });

  test('the messages the job recipe and its hosts write, word for word', () => {
    const kb203 = messages('KB203');
    expect(kb203.noExecutorCall({ in: 'the pipeline file', migrate: 'that script' })).toBe(
      'uses a Kaniko image but calls no executor in the pipeline file; migrate that script by hand',
    );
    expect(kb203.noExecutorCall({ in: 'the pipeline file', runs: './build.sh', migrate: 'that script' })).toBe(
      'uses a Kaniko image but calls no executor in the pipeline file (the script runs ./build.sh, which may call it); migrate that script by hand',
    );
    expect(
      kb203.noExecutorCall({ in: 'this job object', unreadable: 'steps()', migrate: 'the image and script' }),
    ).toBe(
      'uses a Kaniko image but calls no executor in this job object (part of the script is steps(), which this tool cannot read; calls written elsewhere are migrated there, see KB501); migrate the image and script by hand',
    );
    expect(messages('KB205').notStock('my/kaniko:1')).toBe(
      'the image my/kaniko:1 is not a stock Kaniko image but the job calls the executor from it, so it is a Kaniko build image; replaced by BuildKit. If it also carried tools the script uses, add them another way',
    );
    const kb206 = messages('KB206');
    expect(kb206.imageNotEditable('the variable IMG', '[""]')).toBe(
      'calls the Kaniko executor but its image is the variable IMG; set the image to moby/buildkit:rootless with entrypoint [""] by hand, then run again',
    );
    expect(kb206.imageNotEditable('x', "['']")).toBe(
      "calls the Kaniko executor but its image is x; set the image to moby/buildkit:rootless with entrypoint [''] by hand, then run again",
    );
    expect(kb206.componentInput('$[[ inputs.image ]]')).toBe(
      'the image comes from a component input ($[[ inputs.image ]]); change the input default by hand',
    );
    expect(messages('KB209').yamlForm()).toBe(
      'this script item cannot be edited in place (its YAML form is not supported); migrate it by hand',
    );
    expect(messages('KB209').escapeSequence('the job')).toBe(
      'this script item uses an escape sequence this tool does not rewrite in place; migrate the job by hand',
    );
    const kb211 = messages('KB211');
    expect(kb211.overlap({ of: 'this script item', cause: 'a Kaniko path inside a rewritten command' })).toBe(
      'two rewrites of this script item overlap (a Kaniko path inside a rewritten command); migrate it by hand',
    );
    expect(kb211.overlap({ of: 'this script item' })).toBe(
      'two rewrites of this script item overlap; migrate it by hand',
    );
    expect(kb211.overlap({ of: 'this script' })).toBe('two rewrites of this script overlap; migrate it by hand');
    expect(kb211.otherJob({ other: 'job', same: 'lines', cause: 'a template shared in an unusual way' })).toBe(
      "its edits overlap another job's edits of the same lines (a template shared in an unusual way); migrate it by hand",
    );
    expect(
      kb211.otherJob({
        other: 'job object',
        same: 'code',
        cause: 'a shared constant or spread object used in an unusual way',
      }),
    ).toBe(
      "its edits overlap another job object's edits of the same code (a shared constant or spread object used in an unusual way); migrate it by hand",
    );
    expect(messages('KB402').builtInHelper()).toBe(
      'Kaniko logged in to $CI_REGISTRY by itself (its built-in GitLab helper); the job now writes those credentials to ~/.docker/config.json',
    );
    // The recipe passes the helpers other than ecr-login (that one is fetched pinned, KB408).
    expect(messages('KB403').credentialHelpers(['gcr', 'acr-env'])).toBe(
      'the registry config names credential helpers (gcr, acr-env) that the BuildKit image does not have: put docker-credential-gcr on PATH (pinned release binary in ~/bin, or an image FROM moby/buildkit:rootless with it), or write the credentials under "auths" in ~/.docker/config.json instead',
    );
    expect(messages('KB405').shadows()).toBe(
      'DOCKER_AUTH_CONFIG is set for this job: buildctl (v0.24+) would read it instead of ~/.docker/config.json, where Kaniko never read it; the job now unsets it before the build so the push credentials win',
    );
  });

  test('explain prints a code and lists them all, sorted', async () => {
    const one = await runCli(['explain', 'kb204']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('KB204');
    expect(one.stdout).toContain('What to do:');
    const list = await runCli(['explain', '--list']);
    const lines = list.stdout.trim().split('\n');
    expect(lines).toHaveLength(CODES.length);
    const listed = lines.map((l) => l.split(/\s+/)[0]!);
    expect(listed).toEqual([...listed].sort());
    expect(listed).toEqual(CODES.map((c) => c.code));
    expect((await runCli(['explain', 'KB999'])).code).toBe(2);
  });
});
