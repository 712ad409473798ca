import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CODES, codeDoc } from '../src/findings/registry.js';
import { runCli } from './helpers.js';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('finding codes', () => {
  test('every code the tool can emit is documented for explain', () => {
    const emitted = new Set<string>();
    for (const file of sources('src')) {
      if (file.includes(`${join('src', 'findings')}`)) continue;
      for (const m of readFileSync(file, 'utf8').matchAll(/['"`](KB\d{3})['"`]/g)) emitted.add(m[1]!);
    }
    expect(emitted.size).toBeGreaterThan(10);
    const missing = [...emitted].filter((c) => !codeDoc(c));
    expect(missing).toEqual([]);
  });

  test('codes are unique and every entry says what differs, what the tool does and what to do', () => {
    const seen = new Set<string>();
    for (const c of CODES) {
      expect(seen.has(c.code)).toBe(false);
      seen.add(c.code);
      expect(c.code).toMatch(/^KB\d{3}$/);
      for (const text of [c.title, c.explanation, c.action, c.todo]) expect(text.length).toBeGreaterThan(3);
    }
  });

  test('explain prints a code and lists them all', async () => {
    const one = await runCli(['explain', 'kb204']);
    expect(one.code).toBe(0);
    expect(one.stdout).toContain('KB204');
    expect(one.stdout).toContain('What to do:');
    const list = await runCli(['explain', '--list']);
    expect(list.stdout.trim().split('\n')).toHaveLength(CODES.length);
    expect((await runCli(['explain', 'KB999'])).code).toBe(2);
  });
});
