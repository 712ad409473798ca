/**
 * `errorLines(log)`: the error lines of a job log that no known failure (KB8xx) explains, each with the nearest advice
 * doctor has. When `diagnose` finds nothing, these are what a person reads first: the build's own error
 * (`error: failed to solve: …`), the failing step (`#8 ERROR: …`), the daemon's `level=error` lines.
 */
import type { Code } from '../findings/types.js';
import { splitLog } from './log.js';
import type { Diagnosis } from './diagnose.js';

export interface ErrorLine {
  /** 1-based line number in the log. */
  line: number;
  /** The line, cleaned as `diagnose` cleans it. */
  text: string;
  /** The nearest advice, when the line says enough for one. */
  hint?: string;
  /** A code whose explanation goes further (`kaniko2buildkit explain CODE`). */
  see?: Code;
}

/** Lines that report an error: buildctl's last line and failed steps, the daemon's, rootlesskit's, the shell's. */
const ERROR_LINE =
  /^(?:error|ERROR|Error|fatal|FATAL):\s|^#\d+ (?:\d+(?:\.\d+)? )?ERROR:\s|\blevel=(?:error|fatal)\b|^(?:ERRO|FATA)\[|\[rootlesskit:\w+ *\] error:|\bfailed to solve\b|^buildkitd: /;
/** Runner lines that say a job failed, not why. */
const GENERIC = /^ERROR: Job failed: (?:exit code \d+|command terminated with exit code \d+)$/;

interface Hint {
  match: RegExp;
  advice: (m: RegExpExecArray) => string;
  see?: Code;
}

const HINTS: readonly Hint[] = [
  {
    // `failed to compute cache key: failed to calculate checksum of ref …: "/package.json": not found`
    match: /failed to (?:calculate checksum of ref|compute cache key)[^"]*"([^"]+)": not found/,
    advice: (m) =>
      `${m[1]} is not in the build context: BuildKit sends the folder of --local context=DIR, less what .dockerignore ` +
      'leaves out. Check that the COPY/ADD source is in that folder in this job (a file another job makes needs ' +
      'artifacts and needs:), and, after a migration, that --local context= names the folder --context named.',
  },
  {
    // `failed to resolve source metadata for docker.io/library/nod:18: docker.io/library/nod:18: not found`
    match:
      /failed to resolve source metadata for (\S+?):? |(?:docker-image:\/\/|FROM )(\S+).*\bnot found|manifest unknown|failed to do request: Head "?https?:\/\/[^/]+\/v2\/(\S+?)\/manifests/,
    advice: (m) =>
      `The base image${m[1] || m[2] || m[3] ? ` ${m[1] ?? m[2] ?? m[3]}` : ''} of a FROM line was not found or not ` +
      'reached: check its name and tag (behind a mirror or the dependency proxy the prefix is part of the name), and ' +
      'that a private base image has credentials for its registry in ~/.docker/config.json.',
  },
  {
    match:
      /(401 Unauthorized|403 Forbidden|unexpected status(?: code)?:? 40[13]\b|\bunauthorized\b|\bforbidden\b|access to the resource is denied|(?:push|pull) access denied)/i,
    advice: (m) =>
      `The registry refused the request (${m[1]}): give buildctl credentials for that host in ~/.docker/config.json, ` +
      'and check that DOCKER_AUTH_CONFIG (read first from BuildKit v0.24) does not shadow them.',
    see: 'KB805',
  },
  {
    // `#11 ERROR: process "/bin/sh -c npm ci" did not complete successfully: exit code: 1`
    match: /process "(.+)" did not complete successfully: exit code: (\d+)/,
    advice: (m) =>
      `A RUN step (${m[1]}) exited with ${m[2]}: its own output is in the lines above, under the same #N. The command ` +
      'failed, not BuildKit; in rootless BuildKit it runs as root inside a user namespace, so a file owned by a UID above ' +
      '65536 in the base image cannot be represented.',
  },
  {
    match: /no space left on device/i,
    advice: () =>
      "The runner's disk is full: buildkitd keeps its state in /home/user/.local/share/buildkit, and the native " +
      'snapshotter (no overlayfs, KB818, KB819) copies every layer in full.',
    see: 'KB819',
  },
  {
    match: /x509: certificate (?:signed by unknown authority|is not valid|has expired)/,
    advice: () =>
      'The registry\'s TLS certificate is not trusted: name its CA in a buildkitd.toml ([registry."HOST"] ca = ["/path/ca.crt"], ' +
      'passed with BUILDKITD_FLAGS --config …), as migrate does for Kaniko --registry-certificate.',
  },
  {
    match: /dockerfile parse error|failed to parse dockerfile|unknown instruction/i,
    advice: () =>
      'The Dockerfile does not parse: BuildKit reads it with the same rules as Docker; a `# syntax=` line at the top ' +
      'makes it fetch that frontend image first.',
  },
];

/** The nearest advice for one error line, if any. */
export function hintFor(text: string): Pick<ErrorLine, 'hint' | 'see'> {
  for (const h of HINTS) {
    const m = h.match.exec(text);
    if (m) return { hint: h.advice(m), ...(h.see ? { see: h.see } : {}) };
  }
  return {};
}

/** GitLab's last line of a job that passed: its error lines did not fail it. */
const SUCCEEDED = /^Job succeeded$/;
/** A buildctl step that imports a registry cache: its `ERROR: … not found` is a first build, harmless. */
const CACHE_IMPORT = /^#(\d+) importing cache manifest from /;

/**
 * Error lines of the log not shown by a diagnosis, in log order, each text once. None when the job succeeded; a
 * registry cache not found on import (`#4 ERROR: …:buildkit: not found`, the first build) is no error.
 */
export function errorLines(log: string, diagnoses: readonly Diagnosis[] = []): ErrorLine[] {
  const lines = splitLog(log);
  if (lines.some((l) => SUCCEEDED.test(l.text))) return [];
  const claimed = new Set(diagnoses.flatMap((d) => d.lines));
  const cacheSteps = new Set(lines.map((l) => CACHE_IMPORT.exec(l.text)?.[1]).filter((n) => n !== undefined));
  const seen = new Set<string>();
  const out: ErrorLine[] = [];
  for (const l of lines) {
    if (!l.text || claimed.has(l.number) || GENERIC.test(l.text) || !ERROR_LINE.test(l.text)) continue;
    const step = /^#(\d+) ERROR: .*\bnot found$/.exec(l.text)?.[1];
    if (step !== undefined && cacheSteps.has(step)) continue;
    if (seen.has(l.text)) continue;
    seen.add(l.text);
    out.push({ line: l.number, text: l.text, ...hintFor(l.text) });
  }
  return out;
}
