/** Summarises a V8 .cpuprofile: the functions with the most self time, and with the most total (inclusive) time. */
import { readFileSync } from 'node:fs';

// a package's files as node_modules/NAME/… (the greedy match would take yaml's own dist/ for the tool's), else dist/…
const where = (url) =>
  /\/node_modules\//.test(url)
    ? url.replace(/^.*\/node_modules\/((@[^/]+\/)?[^/]+)\//, 'node_modules/$1/')
    : url.replace(/^.*\/(dist|bench)\//, '$1/').replace(/^file:\/\//, '');
const label = (cf) => `${cf.functionName || '(anonymous)'} ${where(cf.url)}:${cf.lineNumber + 1}`;

export function summarizeProfile(path, { top = 15 } = {}) {
  const profile = JSON.parse(readFileSync(path, 'utf8'));
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const sampled = new Map();
  for (let i = 0; i < profile.samples.length; i++)
    sampled.set(profile.samples[i], (sampled.get(profile.samples[i]) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  const self = new Map();
  const total = new Map();
  let all = 0;
  for (const [id, ms] of sampled) {
    all += ms;
    const key = label(byId.get(id).callFrame);
    self.set(key, (self.get(key) ?? 0) + ms);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const k = label(byId.get(at).callFrame);
      if (seen.has(k)) continue;
      seen.add(k);
      total.set(k, (total.get(k) ?? 0) + ms);
    }
  }
  const rows = (map, filter = () => true) =>
    [...map]
      .filter(([k]) => filter(k) && !k.startsWith('(root)') && !k.startsWith('(program)'))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, ms]) => `  ${ms.toFixed(0).padStart(7)} ms ${((100 * ms) / all).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  return [
    `profile ${path}: ${all.toFixed(0)} ms sampled`,
    'self time (where the CPU is):',
    rows(self),
    'total time, functions of the tool (dist/):',
    rows(total, (k) => k.includes(' dist/')),
  ].join('\n');
}
