/**
 * The README's install instructions say what is true of this package: it is installed from a tarball, a git URL or
 * the container image before any `npx kaniko2buildkit` line (marked as for when it is published), the tarball it
 * names is the one `npm pack` makes of this version, ts-morph is the optional dependency the package declares, and
 * its CI snippet runs the installed command in the image. (pack.test.ts and git.test.ts run those commands.)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
};

/** The text of a section, up to the next heading of the same or a higher level (outside code blocks). */
function section(heading: string): string {
  const lines = readme.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README.md has no "${heading}"`);
  const level = /^#+/.exec(heading)![0].length;
  let fenced = false;
  let end = start + 1;
  for (; end < lines.length; end++) {
    if (lines[end]!.startsWith('```')) fenced = !fenced;
    else if (!fenced && new RegExp(`^#{1,${level}} `).test(lines[end]!)) break;
  }
  return lines.slice(start + 1, end).join('\n');
}

const install = section('## Install');

test('the Install section comes before every npx line, and says npx is for when the package is published', () => {
  expect(readme.indexOf('\n## Install\n')).toBeLessThan(readme.indexOf('npx kaniko2buildkit'));
  expect(install).toMatch(/not on the npm registry yet, so `npx kaniko2buildkit`.*works only once it\s+is published/s);
  expect(section('## Use')).toMatch(/every `npx kaniko2buildkit` in this README is that command/);
});

test('it installs from the tarball npm pack makes of this version, from a git URL, and from the image', () => {
  const tarball = `${pkg.name}-${pkg.version}.tgz`;
  const named = [...readme.matchAll(/kaniko2buildkit-\d+\.\d+\.\d+[^\s)`]*\.tgz/g)].map((m) => m[0]);
  expect(named.length).toBeGreaterThan(0);
  expect(new Set(named)).toEqual(new Set([tarball]));
  expect(install).toContain('npm ci && npm pack');
  expect(install).toContain(`npm install -g ./${tarball}`);
  expect(install).toContain('npm pack git+https://');
  expect(install).toContain('docker build -t kaniko2buildkit .');
  // the one-step global install from git is the npm bug, said as such, not offered
  expect(install).toMatch(/`npm install -g git\+https:\/\/…` in one step does not work/);
});

test('ts-morph is described as what package.json declares: optional, not a dependency', () => {
  expect(pkg.dependencies['ts-morph']).toBeUndefined();
  expect(pkg.peerDependenciesMeta?.['ts-morph']?.optional).toBe(true);
  expect(install).toMatch(/\*\*ts-morph\*\*.*an optional dependency/s);
  expect(install).toContain('npm install -g ts-morph');
  expect(install).toContain('--no-sources');
});

test('the CI snippet runs the installed command in the container image', () => {
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section('### Review it in CI'))![1]!;
  const job = (YAML.parse(yaml) as Record<string, { image: string; script: string[] }>).kaniko2buildkit!;
  expect(job.image).toBe('$KANIKO2BUILDKIT_IMAGE');
  expect(job.script.length).toBeGreaterThan(0);
  for (const line of job.script) expect(line).toMatch(/^kaniko2buildkit migrate /);
});
