/**
 * The table of known rootless-BuildKit job failures: one entry per finding code (KB8xx), each with a matcher over
 * cleaned log lines and, where the line tells more, a sentence specific to this log. Titles, diagnoses and fix texts
 * live with the code in `src/findings/codes/kb8-doctor.ts`, so `explain KB8xx` and `doctor` print the same words.
 *
 * Order matters: a line is claimed by the first entry that matches it (the more specific entries come first).
 */
import type { Code } from '../findings/types.js';
import type { LogLine } from './log.js';

export interface LogContext {
  lines: readonly LogLine[];
  /** Per line index: inside a daemon log that buildctl-daemonless.sh printed after `========== log ==========`. */
  inDaemonLog: readonly boolean[];
  /** Index of the first `$ command` echo of the job script (GitLab prints one per script line), or -1. */
  firstScriptLine: number;
  /** The job script visibly ran: a `$ command` echo before any after_script, or buildctl progress output. */
  scriptRan: boolean;
}

export interface KnownFailure {
  code: Code;
  /** Returns a match when the line shows this failure. */
  match: (line: LogLine, index: number, ctx: LogContext) => RegExpExecArray | null;
  /** A sentence specific to this log (the socket, the host, the flag…), printed before the fix. */
  detail?: (m: RegExpExecArray, ctx: LogContext, index: number) => string | undefined;
}

/** First hit of any of the patterns. */
function anyOf(...patterns: RegExp[]): (line: LogLine) => RegExpExecArray | null {
  return (line) => {
    for (const p of patterns) {
      const m = p.exec(line.text);
      if (m) return m;
    }
    return null;
  };
}

function firstLineMatching(ctx: LogContext, re: RegExp): LogLine | undefined {
  return ctx.lines.find((l) => re.test(l.text));
}

/** Kaniko/docker flags people pass to buildctl, and what buildctl wants instead. */
const BUILDCTL_FLAG_FIXES: Record<string, string> = {
  'build-arg': '--opt build-arg:K=V',
  tag: '--output type=image,name=REF,push=true',
  t: '--output type=image,name=REF,push=true',
  push: 'push=true inside --output type=image,name=REF,push=true',
  file: '--local dockerfile=DIR --opt filename=NAME',
  f: '--local dockerfile=DIR --opt filename=NAME',
  destination: '--output type=image,name=REF,push=true',
  dockerfile: '--local dockerfile=DIR --opt filename=NAME',
  context: '--local context=DIR',
  target: '--opt target=STAGE',
  platform: '--opt platform=P',
  label: '--opt label:K=V',
};

const BANNER =
  /running in rootless mode|running server on \S*buildkitd\.sock|auto snapshotter: using \S+|found \d+ workers?, default=|found worker \\?"/;

export const KNOWN_FAILURES: readonly KnownFailure[] = [
  {
    code: 'KB821',
    match: anyOf(/can't enable NoProcessSandbox without Rootless/),
  },
  {
    code: 'KB822',
    match: anyOf(/Failed to create credential store from DOCKER_AUTH_CONFIG:?\s*(.*)/),
    detail: (m) => (m[1] ? `docker/cli could not read it: ${m[1]}.` : undefined),
  },
  {
    code: 'KB801',
    match: anyOf(
      /\[rootlesskit:child\s*\] error: failed to share mount point: (\S+): permission denied/,
      /failed to share mount point: (\S+): permission denied/,
    ),
  },
  {
    code: 'KB817',
    match: anyOf(
      /newuidmap\b.*?(Could not set caps|write to uid_map failed|operation not permitted)/i,
      /failed to setup UID\/GID map/i,
    ),
    detail: (m) =>
      /caps/i.test(m[1] ?? '')
        ? 'newuidmap has no privileges to use: no-new-privileges (Docker security_opt) or allowPrivilegeEscalation: false (Kubernetes) takes them away.'
        : /uid_map/i.test(m[1] ?? '')
          ? 'The kernel refused the map: seccomp or AppArmor blocks it, or the container already runs in a user namespace too small for it.'
          : undefined,
  },
  {
    code: 'KB808',
    match: anyOf(
      /Error during unshare\(CLONE_NEWUSER\)/i,
      /fork\/exec \/proc\/self\/exe: operation not permitted/i,
      /user namespaces? (?:are|is) not (?:enabled|supported|available)/i,
      /max_user_namespaces|unprivileged_userns_clone|apparmor_restrict_unprivileged_userns/,
    ),
  },
  {
    code: 'KB803',
    match: anyOf(
      /error mounting "proc" to rootfs at "\/proc".*operation not permitted/,
      /\bmount proc:\/proc\b.*operation not permitted/,
    ),
  },
  {
    code: 'KB810',
    match: anyOf(/Options:\[rbind ro\]\}\]: operation not permitted/),
  },
  {
    code: 'KB820',
    match: anyOf(
      /unable to remove container's cgroup: open (\/sys\/fs\/cgroup\S*): no such file or directory/,
      /unable to get cgroup freezer state: \S+ (\/sys\/fs\/cgroup\S*): permission denied/,
      /no cgroup mount found in mountinfo/,
      /(?:open|mkdir|create) '?(\/sys\/fs\/cgroup\S*?)'?: (?:permission denied|read-only file system)/i,
    ),
    detail: (m) =>
      /remove container's cgroup/.test(m[0])
        ? 'This is the runc 1.2.0/1.2.1 regression (fixed in runc 1.2.2): a current BuildKit image has the fix.'
        : undefined,
  },
  {
    code: 'KB802',
    match: anyOf(/could not connect to (\S+) after (\d+) trials/),
    detail: (m) =>
      `buildctl-daemonless.sh could not reach ${m[1]} after ${m[2]} trials` +
      (m[2] === '10' ? ' (10 is the default BUILDCTL_CONNECT_RETRIES_MAX).' : '.'),
  },
  {
    code: 'KB807',
    match: anyOf(
      /invalid local: stat (\S+): not a directory/,
      /stat (\S*[Dd]ockerfile\S*): not a directory/,
      /--local dockerfile=(\S+).*not a directory/,
    ),
    detail: (m) => `${m[1]} is not a directory.`,
  },
  {
    code: 'KB813',
    match: anyOf(/failed to read dockerfile: open (\S+?):? no such file or directory/i),
    detail: (m) => `The frontend looked for ${m[1]}.`,
  },
  {
    code: 'KB811',
    match: (line) => {
      const m = /(?:flag provided but not defined|unknown flag):? (-{1,2})([\w-]+)/.exec(line.text);
      return m && m[2]! in BUILDCTL_FLAG_FIXES ? m : null;
    },
    detail: (m) => `buildctl has no ${m[1]}${m[2]} flag; use ${BUILDCTL_FLAG_FIXES[m[2]!]}.`,
  },
  {
    code: 'KB812',
    match: anyOf(/exporter "registry" could not be found/),
  },
  {
    code: 'KB806',
    match: anyOf(/http: server gave HTTP response to HTTPS client/),
    detail: (m) => {
      const host = /https:\/\/([^/"\s]+)/.exec(m.input)?.[1];
      return host ? `Registry: ${host}.` : undefined;
    },
  },
  {
    code: 'KB816',
    match: anyOf(
      /(\/kaniko\/\S*).*(?:not found|No such file or directory|Permission denied|Read-only file system)/i,
      /(?:can't|cannot) create (?:directory )?'?(\/kaniko\S*?)'?:/i,
      /(\/busybox\/sh)\b.*(?:not found|No such file or directory)/i,
    ),
    detail: (m) => `${m[1]!.replace(/[':]+$/, '')} does not exist in moby/buildkit:rootless.`,
  },
  {
    code: 'KB805',
    match: (line) => {
      const t = line.text;
      const strong =
        /failed to authorize|authentication required|(?:push|pull) access denied|requested access to the resource is denied|insufficient_scope/i.exec(
          t,
        );
      if (strong) return strong;
      const status = /\b(?:401 Unauthorized|403 Forbidden)\b/i.exec(t);
      if (status && /\/v2\/|token|push|pull|registry|resolve/i.test(t)) return status;
      const word = /\bunauthorized\b/i.exec(t);
      if (word && /error|failed|denied/i.test(t)) return word;
      return null;
    },
    detail: (m, ctx) => {
      const parts: string[] = [];
      const registry =
        /\b(?:push|pull|resolve)\w*(?: access to)? ([a-z0-9.-]+\.[a-z]{2,}(?::\d+)?|localhost(?::\d+)?)\//i.exec(
          m.input,
        )?.[1] ?? /https?:\/\/([^/"\s]+)\/v2\//.exec(m.input)?.[1];
      const tokenServer = /https?:\/\/([^/"\s]+)\/[^\s"]*(?:auth|token)/.exec(m.input)?.[1];
      if (registry)
        parts.push(
          `Registry: ${registry}${tokenServer && tokenServer !== registry ? ` (token server ${tokenServer})` : ''}.`,
        );
      else if (tokenServer) parts.push(`Token server: ${tokenServer}.`);
      const kaniko = firstLineMatching(ctx, /\/kaniko\/\.docker/);
      if (kaniko) parts.push(`Line ${kaniko.number} still mentions /kaniko/.docker, which buildctl never reads.`);
      const dac = firstLineMatching(ctx, /DOCKER_AUTH_CONFIG/);
      if (dac)
        parts.push(
          `Line ${dac.number} mentions DOCKER_AUTH_CONFIG, which BuildKit >= v0.24 reads before ~/.docker/config.json.`,
        );
      return parts.length ? parts.join(' ') : undefined;
    },
  },
  {
    code: 'KB814',
    match: anyOf(
      /(?:^|[\s:])(bash|jq|curl|docker|docker-compose|docker-credential-[\w-]+): (?:command )?not found/,
      /exec: "(docker-credential-[\w-]+)": executable file not found/,
    ),
    detail: (m) => `${m[1]} is not in the image.`,
  },
  {
    code: 'KB815',
    match: anyOf(/syntax error: unexpected "\("/, /(?:^|[\s:])\[\[: not found/),
  },
  {
    code: 'KB809',
    match: anyOf(/exec format error/i),
  },
  {
    code: 'KB804',
    match: (line, index, ctx) => {
      const timeout = /ERROR: Job failed: execution took longer than .*/.exec(line.text);
      if (timeout) return ctx.scriptRan ? null : timeout;
      const banner = BANNER.exec(line.text);
      if (banner && !ctx.inDaemonLog[index] && (ctx.firstScriptLine < 0 || ctx.firstScriptLine > index)) return banner;
      return null;
    },
    detail: (m) =>
      /Job failed/.test(m[0])
        ? 'The job timed out and its log shows no script command and no buildctl output.'
        : 'buildkitd output appears where the job script should run, before any script command.',
  },
  // after KB804: `auto snapshotter: using native` where the job script should run is the entrypoint, not the snapshotter
  {
    code: 'KB818',
    match: anyOf(/auto snapshotter: overlayfs is not available for (\S+?),? trying fuse-overlayfs: ([^"]*)/),
    detail: (m) => `The overlayfs mount in ${m[1]} failed: ${m[2]!.replace(/[\\"]+$/, '').trim()}.`,
  },
  {
    code: 'KB819',
    match: anyOf(
      /fuse-overlayfs is not available for \S+?,? falling back to native/,
      /fuse-overlayfs not functional/,
      /fuse: device not found/,
      /auto snapshotter: using native/,
    ),
  },
];
