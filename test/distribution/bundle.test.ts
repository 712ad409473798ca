/**
 * The command's bundle (scripts/bundle.mjs) and its V8 code cache, as bin/load-bundle.js takes them: the cache the
 * build made is accepted for the bundle it was made of, and never taken for another bundle (one whose id line
 * differs), which then runs as well, compiled as usual. Child processes: the loader runs the bundle in the process.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtCli } from '../stress/helpers.js';

const bin = builtCli();
const built = path.resolve(path.dirname(bin), '..');
const loader = pathToFileURL(path.join(built, 'bin', 'load-bundle.js')).href;

function load(bundle: string, cache: string): { cached: boolean; main: string } {
  const code =
    `const { loadBundle } = await import(${JSON.stringify(loader)});\n` +
    `const b = loadBundle(${JSON.stringify(bundle)}, ${JSON.stringify(cache)});\n` +
    'console.log(JSON.stringify({ cached: b.cached, main: typeof b.exports.main }));\n';
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as { cached: boolean; main: string };
}

test("the build's code cache is taken for its bundle", () => {
  const dir = path.join(built, 'dist', 'cli');
  expect(fs.readFileSync(path.join(dir, 'bundle.cjs'), 'utf8')).toMatch(
    /^\/\/ kaniko2buildkit CLI bundle [0-9a-f]{32}\n/,
  );
  expect(load(path.join(dir, 'bundle.cjs'), path.join(dir, 'bundle.cache'))).toEqual({
    cached: true,
    main: 'function',
  });
});

test('a cache made of another bundle is not taken, and the bundle runs without it', () => {
  const dir = path.join(built, 'dist', 'cli');
  const other = fs.mkdtempSync(path.join(dir, 'other-'));
  try {
    const text = fs.readFileSync(path.join(dir, 'bundle.cjs'), 'utf8');
    // the same length and the same code, another id: V8's own check (the source's length) would not see it
    const renamed = text.replace(
      /^(\/\/ kaniko2buildkit CLI bundle )([0-9a-f])/,
      (_, p: string, c: string) => p + (c === '0' ? '1' : '0'),
    );
    expect(renamed.length).toBe(text.length);
    fs.writeFileSync(path.join(other, 'bundle.cjs'), renamed);
    fs.copyFileSync(path.join(dir, 'bundle.cache'), path.join(other, 'bundle.cache'));
    expect(load(path.join(other, 'bundle.cjs'), path.join(other, 'bundle.cache'))).toEqual({
      cached: false,
      main: 'function',
    });
    expect(load(path.join(other, 'bundle.cjs'), path.join(other, 'no-such.cache'))).toEqual({
      cached: false,
      main: 'function',
    });
  } finally {
    fs.rmSync(other, { recursive: true, force: true });
  }
});

test('the bundled command migrates and reports as the sources do (--version from bin/, --help from the bundle)', () => {
  const v = spawnSync(process.execPath, [bin, '--version'], { encoding: 'utf8' });
  const pkg = JSON.parse(fs.readFileSync(path.join(built, 'package.json'), 'utf8')) as { version: string };
  expect(v.stdout).toBe(`${pkg.version}\n`);
  const h = spawnSync(process.execPath, [bin, '--help'], { encoding: 'utf8' });
  expect(h.status).toBe(0);
  expect(h.stdout).toContain('runner-config [options] <file>');
});
