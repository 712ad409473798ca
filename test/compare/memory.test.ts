/**
 * Memory: `compare` of two images with a 1 GiB layer each stays under 150 MiB peak RSS. The layers (one 1 GiB file
 * each, uncompressed tar, differing only in their last MiB so that both are read in full and one difference is found)
 * are generated in the test and streamed into a real docker-registry with chunked PATCH uploads: never held in
 * memory, stored only by the registry. The CLI runs as a child process (`node bin/kaniko2buildkit.js compare …`, built
 * dist/) with test/support/max-rss.mjs preloaded, which prints the process's own peak RSS (VmHWM) at exit.
 *
 * Skipped, with a console message, when docker-registry is not installed.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { once } from 'node:events';
import tar from 'tar-stream';
import { LAYER_TAR, Pusher, pushManifest } from '../support/oci-push.js';
import { REGISTRY_BIN, startRegistry, type Registry } from '../support/registry.js';

const present = fs.existsSync(REGISTRY_BIN);
if (!present) console.warn(`compare memory: SKIPPED, needs ${REGISTRY_BIN} (apt-get install docker-registry)`);
const maybe = present ? describe : describe.skip;

const GiB = 1024 * 1024 * 1024;
const MiB = 1024 * 1024;
const LIMIT_KIB = 150 * 1024;

/** A tar of one `size`-byte file, in 8 MiB chunks; `last` fills its last MiB. */
async function* bigLayer(size: number, last: number): AsyncGenerator<Buffer> {
  const pack = tar.pack();
  const block = Buffer.alloc(MiB);
  for (let i = 0; i < block.length; i++) block[i] = (i * 31 + (i >> 10)) & 0xff;
  const writing = (async () => {
    const entry = pack.entry({ name: 'data/big.bin', size, mode: 0o644, mtime: new Date(1700000000000) });
    let written = 0;
    for (; written + MiB < size; written += MiB) if (!entry.write(block)) await once(entry, 'drain');
    entry.end(Buffer.alloc(size - written, last));
    pack.finalize();
  })();
  let pending: Buffer[] = [];
  let length = 0;
  for await (const c of pack as AsyncIterable<Buffer>) {
    pending.push(c);
    length += c.length;
    if (length >= 8 * MiB) {
      yield Buffer.concat(pending);
      pending = [];
      length = 0;
    }
  }
  if (length) yield Buffer.concat(pending);
  await writing;
}

function runChild(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', './test/support/max-rss.mjs', 'bin/kaniko2buildkit.js', ...args],
      { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

maybe('compare memory', () => {
  let reg: Registry;
  beforeAll(async () => {
    reg = await startRegistry([], 15000, { auth: 'none' });
  });
  afterAll(async () => reg?.stop());

  test('two images with a 1 GiB layer each: under 150 MiB peak RSS', async () => {
    expect(fs.existsSync('dist/cli/main.js')).toBe(true); // `npm test` builds first
    const p = new Pusher(reg.host);
    for (const [tag, last] of [
      ['a', 1],
      ['b', 2],
    ] as const) {
      const layer = await p.streamBlob('big', bigLayer(GiB, last));
      expect(layer.size).toBeGreaterThan(GiB);
      await pushManifest(p, 'big', tag, { layers: [] }, [{ mediaType: LAYER_TAR, ...layer }], [layer.digest]);
    }
    const r = await runChild(['compare', '--format', 'json', `${reg.host}/big:a`, `${reg.host}/big:b`]);
    expect(r.stderr).toMatch(/^max-rss-kib \d+ max-array-buffers-kib \d+\n$/);
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as {
      platforms: { differences: { path: string; fields: { field: string }[] }[] }[];
    };
    expect(json.platforms[0]!.differences.map((d) => [d.path, d.fields.map((f) => f.field)])).toEqual([
      ['/data/big.bin', ['digest']],
    ]);
    const kib = Number(/max-rss-kib (\d+)/.exec(r.stderr)![1]);
    console.log(
      `compare memory: peak RSS ${(kib / 1024).toFixed(1)} MiB comparing two 1 GiB layers (${r.stderr.trim()})`,
    );
    expect(kib).toBeLessThan(LIMIT_KIB);
  }, 300000);
});
