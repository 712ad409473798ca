/**
 * `migrate --recursive` over local git checkouts of one group (workloads/group.ts): the consumers' `include: project`
 * are read from the template project's checkout at the named ref (found by its origin remote), the consumers that
 * feed Kaniko flags into a template are pending (not unchanged), the summary leads with the template graph, a write
 * migrates the template files and the consumers' variables in one run, and a second run writes nothing.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkout, git } from '../support/git-checkout.js';
import { runMigrate } from '../../src/cli/migrate.js';
import { runRecursive, type RecursiveFlags } from '../../src/cli/recursive.js';
import type { CliIO } from '../../src/cli/io.js';
import {
  consumers,
  KANIKO_TEMPLATE,
  RELEASE_TEMPLATE,
  TEMPLATE_PROJECT,
  templateFiles,
} from '../../workloads/group.js';

function io(cwd: string): CliIO & { out: () => string } {
  let out = '';
  return {
    stdout: (s) => void (out += s),
    stderr: () => undefined,
    readStdin: async () => '',
    cwd,
    env: {},
    isTTY: false,
    out: () => out,
  };
}

const flags = (f: Partial<RecursiveFlags>): RecursiveFlags => ({ format: 'text', failOn: 'never', ...f });

describe('migrate --recursive over a group with a shared template project', () => {
  let root: string;
  const group = consumers(6);
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'k2b-group-'));
    const t = checkout(root, TEMPLATE_PROJECT, templateFiles, `https://gitlab.example.com/${TEMPLATE_PROJECT}.git`);
    git(t, 'tag', 'v1.0.0');
    // the consumers' remotes in both spellings GitLab shows
    group.forEach((c, i) =>
      checkout(
        root,
        c.path,
        c.files,
        i % 2 ? `git@gitlab.example.com:${c.path}.git` : `https://gitlab.example.com/${c.path}`,
      ),
    );
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('--check: the graph names the template, its consumers and their feeds; feeding consumers are pending', async () => {
    const cli = io(root);
    const code = await runRecursive('.', flags({ check: true, format: 'json' }), cli);
    const body = JSON.parse(cli.out());
    expect(code).toBe(1);
    const byPath = new Map(body.projects.map((p: { path: string; status: string }) => [p.path, p.status]));
    for (const c of group) {
      const name = c.path.split('/').pop()!;
      const want = c.feeds.some((f) => f.outcome === 'refused') ? 'manual' : c.feeds.length ? 'migrated' : 'unchanged';
      expect([name, byPath.get(name)]).toEqual([name, want]);
    }
    const graph = body.templateGraph as {
      template: string;
      changes: number;
      consumers: { project: string; feeds: { variable: string; outcome: string }[] }[];
    }[];
    const kaniko = graph.find((t) => t.template === `${TEMPLATE_PROJECT}:${KANIKO_TEMPLATE}@main`)!;
    const pinned = graph.find((t) => t.template === `${TEMPLATE_PROJECT}:${KANIKO_TEMPLATE}@v1.0.0`)!;
    const release = graph.find((t) => t.template === `${TEMPLATE_PROJECT}:${RELEASE_TEMPLATE}@v1.0.0`)!;
    expect(kaniko.changes).toBeGreaterThan(0);
    const through = (file: string, ref: string) =>
      group
        .filter((c) => c.through.includes(file) && (c.ref ?? 'main') === ref)
        .map((c) => c.path.split('/').pop())
        .sort();
    expect(kaniko.consumers.map((c) => c.project)).toEqual(through(KANIKO_TEMPLATE, 'main'));
    expect(pinned.consumers.map((c) => c.project)).toEqual(through(KANIKO_TEMPLATE, 'v1.0.0'));
    expect(release.consumers.map((c) => c.project)).toEqual(through(RELEASE_TEMPLATE, 'v1.0.0'));
    const feeds = graph.flatMap((t) =>
      t.consumers.flatMap((c) => c.feeds.map((f) => `${c.project} ${f.variable} ${f.outcome}`)),
    );
    expect(feeds.sort()).toEqual(
      group.flatMap((c) => c.feeds.map((f) => `${c.path.split('/').pop()} ${f.variable} ${f.outcome}`)).sort(),
    );
    // the include of a file the template project does not have is said plainly
    const missing = group.find((c) => c.missingFile)!;
    const findings = body.files.flatMap((f: { findings: { code: string; message: string }[] }) => f.findings);
    expect(
      findings.some((f: { code: string; message: string }) => f.code === 'KB602' && /kaniko-old\.yml/.test(f.message)),
    ).toBe(true);
    expect(missing).toBeDefined();
  });

  test('text summary leads with the graph line', async () => {
    const cli = io(root);
    await runRecursive('.', flags({ check: true }), cli);
    const main = group.filter((c) => c.through.includes(KANIKO_TEMPLATE) && !c.ref);
    const feeding = main.filter((c) => c.feeds.length).length;
    expect(cli.out()).toContain(
      `${main.length} projects build with Kaniko through ${TEMPLATE_PROJECT}:${KANIKO_TEMPLATE}@main: migrate that file (`,
    );
    expect(cli.out()).toMatch(new RegExp(`\\(\\d+ changes\\) and ${feeding} consumers' variables\\n`));
    // the graph comes before the per-project lines and the totals
    expect(cli.out().indexOf('build with Kaniko through')).toBeLessThan(cli.out().indexOf('Projects:'));
  });

  test('migrate --check on one consumer with --project-map: read the same way, pending, not unchanged', async () => {
    const feeding = group.find((c) => c.feeds.some((f) => f.outcome === 'translated') && !c.ref)!;
    const map = join(root, 'projects.json');
    writeFileSync(map, JSON.stringify({ [TEMPLATE_PROJECT]: 'ci-templates' }));
    const dir = join(root, feeding.path.split('/').pop()!);
    const without = io(dir);
    expect(await runMigrate(['.'], flags({ check: true }), without)).toBe(0); // not followed: KB103, nothing to do
    expect(without.out()).toMatch(/KB103/);
    const cli = io(dir);
    expect(await runMigrate(['.'], flags({ check: true, projectMap: map }), cli)).toBe(1);
    expect(cli.out()).toMatch(/KB603/);
    expect(cli.out()).toContain(feeding.feeds[0]!.to);
    rmSync(map);
  });

  test('a write migrates the template file in its checkout and the consumers variables; a second run writes nothing', async () => {
    const cli = io(root);
    await runRecursive('.', flags({}), cli);
    const template = readFileSync(join(root, 'ci-templates', KANIKO_TEMPLATE), 'utf8');
    expect(template).toMatch(/buildctl-daemonless\.sh build/);
    expect(template).not.toMatch(/\/kaniko\/executor/);
    for (const c of group)
      for (const f of c.feeds.filter((x) => x.outcome === 'translated')) {
        const text = readFileSync(join(root, c.path.split('/').pop()!, '.gitlab-ci.yml'), 'utf8');
        expect(text).toContain(f.to);
      }
    const again = io(root);
    await runRecursive('.', flags({ format: 'json' }), again);
    const body = JSON.parse(again.out());
    expect(body.files.filter((f: { written: boolean }) => f.written)).toEqual([]);
  });
});
