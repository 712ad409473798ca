/**
 * This tool's version, from its package.json (two folders up from the compiled module, and from the CLI bundle in
 * dist/cli/ alike): what `--version` prints and the version a transition's compare job runs. Read once, when first
 * asked, so that loading a module costs no file read.
 */
import { readFileSync } from 'node:fs';

let version: string | undefined;

export function toolVersion(): string {
  version ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string })
    .version;
  return version;
}
