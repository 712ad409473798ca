// Writes a folder from which `npm ci --omit=dev` installs a packed tarball (`npm pack`) with exactly the dependency
// versions this repository's package-lock.json holds, the ones its tests ran with: a package.json that depends on the
// tarball and a package-lock.json made of the lock entries the package needs at run time. `npm install TARBALL` would
// resolve the version ranges afresh from the registry instead, which needs the network and may bring newer versions.
// The container image installs this way, and test/distribution/pack.test.ts installs offline this way.
//
// Usage: node scripts/install-lock.mjs TARBALL DIR [--with-ts-morph] [--registry URL]
//   TARBALL          the file `npm pack` made; copied into DIR
//   DIR              created when missing; its package.json and package-lock.json are overwritten
//   --with-ts-morph  also install ts-morph (the optional dependency generator sources need), at the locked version
//   --registry URL   where the dependencies' tarballs are (default: `npm config get registry`). This repository's
//                    lock records no download addresses; a lock without them makes `npm ci` ask the registry for
//                    every package's metadata, so the install would need the network even with every tarball cached
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const usage = () => {
  console.error('usage: node scripts/install-lock.mjs TARBALL DIR [--with-ts-morph] [--registry URL]');
  process.exit(2);
};
let withTsMorph = false;
let registry;
const positional = [];
for (const args = process.argv.slice(2); args.length;) {
  const a = args.shift();
  if (a === '--with-ts-morph') withTsMorph = true;
  else if (a === '--registry' && args.length) registry = args.shift();
  else if (a.startsWith('--')) usage();
  else positional.push(a);
}
const [tarball, dir] = positional;
if (!tarball || !dir || positional.length > 2) usage();
registry ??= execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
registry = registry.replace(/\/*$/, '/');

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
const entries = lock.packages;

/** The lock path Node would find `name` at from the package at lock path `from` ('' is the root). */
function locate(from, name) {
  for (let at = from; ;) {
    const candidate = `${at ? `${at}/` : ''}node_modules/${name}`;
    if (entries[candidate]) return candidate;
    if (!at) return undefined;
    const i = at.lastIndexOf('/node_modules/');
    at = i < 0 ? '' : at.slice(0, i);
  }
}

/** The lock paths of `names` (from the root) and of everything they need, optional peers left out. */
function closure(names) {
  const found = new Set();
  const visit = (from, name, optional) => {
    const at = locate(from, name);
    if (!at) {
      if (optional) return;
      throw new Error(`package-lock.json has no entry for ${name} (needed from ${from || 'the root'})`);
    }
    if (found.has(at)) return;
    found.add(at);
    const e = entries[at];
    const optionalPeers = new Set(
      Object.entries(e.peerDependenciesMeta ?? {})
        .filter(([, m]) => m.optional)
        .map(([n]) => n),
    );
    for (const n of Object.keys(e.dependencies ?? {})) visit(at, n, false);
    for (const n of Object.keys(e.optionalDependencies ?? {})) visit(at, n, true);
    for (const n of Object.keys(e.peerDependencies ?? {})) if (!optionalPeers.has(n)) visit(at, n, false);
  };
  for (const n of names) visit('', n, false);
  return found;
}

/** The registry's address of a package's tarball: REGISTRY/NAME/-/BASENAME-VERSION.tgz (`@scope/x/-/x-1.0.0.tgz`). */
function tarballUrl(path, entry) {
  const name = entry.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  return `${registry}${name}/-/${name.split('/').pop()}-${entry.version}.tgz`;
}

const file = basename(tarball);
const tgz = readFileSync(tarball);
const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
const wanted = Object.keys(pkg.dependencies ?? {});
if (withTsMorph) wanted.push('ts-morph');
const paths = [...closure(wanted)].sort();

const self = {
  version: pkg.version,
  resolved: `file:${file}`,
  integrity,
  license: pkg.license,
  dependencies: pkg.dependencies,
  peerDependencies: pkg.peerDependencies,
  peerDependenciesMeta: pkg.peerDependenciesMeta,
  bin: pkg.bin,
  engines: pkg.engines,
};
const manifest = {
  name: `${pkg.name}-install`,
  version: pkg.version,
  private: true,
  description: `${pkg.name} installed from ${file} with the versions of its package-lock.json`,
  dependencies: {
    [pkg.name]: `file:${file}`,
    ...(withTsMorph ? { 'ts-morph': entries['node_modules/ts-morph'].version } : {}),
  },
};
const packages = { '': { name: manifest.name, version: manifest.version, dependencies: manifest.dependencies } };
packages[`node_modules/${pkg.name}`] = self;
for (const p of paths) {
  // `dev`, `devOptional` and `peer` describe the entry's place in this repository, not in the install
  const { dev: _dev, devOptional: _devOptional, peer: _peer, ...entry } = entries[p];
  packages[p] = { version: entry.version, resolved: entry.resolved ?? tarballUrl(p, entry), ...entry };
}

mkdirSync(dir, { recursive: true });
if (resolve(tarball) !== resolve(dir, file)) copyFileSync(tarball, join(dir, file));
writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
writeFileSync(
  join(dir, 'package-lock.json'),
  `${JSON.stringify({ name: manifest.name, version: manifest.version, lockfileVersion: 3, requires: true, packages }, null, 2)}\n`,
);
