import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diagnose, splitLog, cleanLine, KNOWN_FAILURES } from '../../src/doctor/index.js';
import { DOCTOR_CODES } from '../../src/findings/codes/kb8-doctor.js';
import { RUNNER_CONFIG_CODES } from '../../src/findings/codes/kb9-runner-config.js';
import { codeDoc } from '../../src/findings/registry.js';

const FIXTURES = join(process.cwd(), 'fixtures', 'doctor');
const read = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');
/** [code, line] pairs, in the order diagnose returns them. */
const found = (log: string) => diagnose(log).map((d) => [d.code, d.line] as const);

/**
 * Lines as users reported them (a short line each, from the issue named), for the failures users of rootless BuildKit
 * meet most: [code, the line, where it was reported, what the diagnosis adds].
 */
const REPORTED: Array<[code: string, line: string, source: string, detail?: RegExp]> = [
  [
    'KB817',
    '[rootlesskit:parent] error: failed to setup UID/GID map: newuidmap 11 [0 1000 1 1 100000 65536] failed: newuidmap: write to uid_map failed: Operation not permitted',
    'moby/buildkit#3297',
    /kernel refused the map/,
  ],
  [
    'KB818',
    'time="2024-06-17T20:00:58Z" level=debug msg="auto snapshotter: overlayfs is not available for /home/node/.local/share/buildkit, trying fuse-overlayfs: failed to mount overlay: invalid argument"',
    'moby/buildkit#5049',
    /^The overlayfs mount in \/home\/node\/\.local\/share\/buildkit failed: failed to mount overlay: invalid argument\.$/,
  ],
  [
    'KB819',
    'time="2026-08-03T17:03:55Z" level=debug msg="auto snapshotter: fuse-overlayfs is not available for /home/user/.local/share/buildkit, falling back to native: fuse-overlayfs not functional, make sure running with kernel >= 4.18: failed to mount fuse-overlayfs ({Type:',
    'moby/buildkit#7003',
  ],
  [
    'KB820',
    "unable to destroy container: unable to remove container's cgroup: open /sys/fs/cgroup/snschvixiy3s74w74fjantrdg: no such file or directory",
    'opencontainers/runc#4531 (moby/buildkit#5491)',
    /runc 1\.2\.0\/1\.2\.1 regression/,
  ],
  [
    'KB820',
    'runc run failed: unable to get cgroup freezer state: openat2 /sys/fs/cgroup/gh36rg3acg5ulaiow518ki3tu/cgroup.freeze: permission denied',
    'bottlerocket-os/bottlerocket#4815',
  ],
  ['KB820', 'runc run failed: no cgroup mount found in mountinfo', 'containerd/nerdctl#3668'],
  [
    'KB821',
    "buildkitd: can't enable NoProcessSandbox without Rootless",
    'moby/buildkit cmd/buildkitd/main_oci_worker.go',
  ],
  [
    'KB822',
    'Failed to create credential store from DOCKER_AUTH_CONFIG:  illegal base64 data at input byte 44',
    'docker/cli#6156',
    /^docker\/cli could not read it: illegal base64 data at input byte 44\.$/,
  ],
  [
    'KB808',
    '[rootlesskit:parent] error: failed to start the child: fork/exec /proc/self/exe: operation not permitted',
    'moby/buildkit#3292',
  ],
  ['KB804', 'ERROR: Job failed: execution took longer than 1h0m0s seconds', 'GitLab Runner (entrypoint not cleared)'],
];

describe('diagnose: lines as users reported them', () => {
  const rows = REPORTED.map(([code, line, source, detail]) => ({ code, line, source, detail }));
  test.each(rows)('$code: $line ($source)', ({ code, line, detail }) => {
    const [d, ...rest] = diagnose(line);
    expect(rest).toEqual([]);
    expect(d?.code).toBe(code);
    if (detail) expect(d!.detail).toMatch(detail);
  });

  // `INFO[2022-02-15T03:43:15Z] auto snapshotter: using native`, moby/buildkit#2642
  const NATIVE = 'INFO[2022-02-15T03:43:15Z] auto snapshotter: using native';
  test('in a daemon log dump, the native fallback is KB819; before the script runs, it is the entrypoint (KB804)', () => {
    const dump = [
      'could not connect to unix:///run/user/1000/buildkit/buildkitd.sock after 10 trials',
      '========== log ==========',
      NATIVE,
    ].join('\n');
    expect(found(dump)).toEqual([
      ['KB802', 1],
      ['KB819', 3],
    ]);
    expect(
      found(
        'time="2025-01-01T00:00:00Z" level=info msg="auto snapshotter: using native"\n$ buildctl-daemonless.sh build',
      ),
    ).toEqual([['KB804', 1]]);
  });
});

describe('diagnose: one fixture per known failure', () => {
  const table: Array<[file: string, expected: Array<[string, number]>]> = [
    // The seed's two excerpts, verbatim.
    [
      'seed-apparmor.log',
      [
        ['KB802', 1],
        ['KB801', 3],
      ],
    ],
    ['seed-proc-mount.log', [['KB803', 1]]],
    // The same inside whole raw job logs (ANSI colours, section markers).
    [
      'apparmor-kubernetes.log',
      [
        ['KB802', 17],
        ['KB801', 19],
      ],
    ],
    ['proc-mount.log', [['KB803', 34]]],
    ['entrypoint-timeout.log', [['KB804', 14]]],
    ['entrypoint-banner.log', [['KB804', 14]]],
    ['push-unauthorized.log', [['KB805', 33]]],
    ['http-registry.log', [['KB806', 30]]],
    ['dockerfile-not-dir.log', [['KB807', 15]]],
    ['dockerfile-missing.log', [['KB813', 18]]],
    [
      'userns-docker.log',
      [
        ['KB802', 15],
        ['KB808', 17],
      ],
    ],
    [
      'newuidmap.log',
      [
        ['KB802', 1],
        ['KB817', 3],
      ],
    ],
    ['exec-format.log', [['KB809', 16]]],
    ['rbind-ro.log', [['KB810', 16]]],
    ['buildctl-unknown-flag.log', [['KB811', 15]]],
    ['exporter-registry.log', [['KB812', 15]]],
    ['busybox-bash.log', [['KB815', 15]]],
    ['slow-daemon.log', [['KB802', 15]]],
    [
      'timestamps-crlf.log',
      [
        ['KB802', 1],
        ['KB801', 3],
      ],
    ],
  ];
  test.each(table)('%s', (file, expected) => {
    expect(found(read(file))).toEqual(expected);
  });

  test('every known-failure code has at least one fixture above, a reported line below, or is in several.log', () => {
    const covered = new Set([
      ...table.flatMap(([, e]) => e.map(([c]) => c)),
      ...REPORTED.map(([c]) => c),
      ...diagnose(read('several.log')).map((d) => d.code),
    ]);
    for (const f of KNOWN_FAILURES) expect(covered).toContain(f.code);
  });
});

describe('diagnose: details', () => {
  test('the seed AppArmor excerpt: line text, title, both fix forms, and the daemon log pointer', () => {
    const [connect, apparmor] = diagnose(read('apparmor-kubernetes.log'));
    expect(apparmor!.lineText).toBe('[rootlesskit:child ] error: failed to share mount point: /: permission denied');
    expect(apparmor!.severity).toBe('error');
    expect(apparmor!.fix).toContain('[runners.kubernetes.pod_annotations]');
    expect(apparmor!.fix).toContain('"container.apparmor.security.beta.kubernetes.io/build" = "unconfined"');
    expect(apparmor!.fix).toContain('config: |');
    expect(apparmor!.fix).toContain('kaniko2buildkit runner-config');
    expect(connect!.detail).toContain('unix:///run/user/1000/buildkit/buildkitd.sock after 10 trials');
    expect(connect!.detail).toContain('Daemon log (lines 19-21) shows: KB801 at line 19');
    expect(connect!.fix).toContain('BUILDCTL_CONNECT_RETRIES_MAX');
  });

  test('any trial count and socket path', () => {
    const [d] = diagnose('could not connect to unix:///tmp/x/buildkitd.sock after 60 trials\n');
    expect(d!.code).toBe('KB802');
    expect(d!.detail).toContain('unix:///tmp/x/buildkitd.sock after 60 trials.');
    expect(d!.detail).toContain('No daemon log follows');
  });

  test('a daemon log without a known failure says so', () => {
    const [d] = diagnose(read('slow-daemon.log'));
    expect(d!.detail).toMatch(/Daemon log \(lines 17-19\) holds no known failure/);
  });

  test('the proc failure names BUILDKITD_FLAGS', () => {
    const [d] = diagnose(read('seed-proc-mount.log'));
    expect(d!.fix).toContain('BUILDKITD_FLAGS: --oci-worker-no-process-sandbox');
    expect(d!.lineText).toMatch(/^runc run failed: .*operation not permitted$/);
  });

  test('repeated lines are one diagnosis with all their line numbers', () => {
    const d = diagnose(read('proc-mount.log'));
    expect(d).toHaveLength(1);
    expect(d[0]!.lines).toEqual([34, 38]);
  });

  test('push refused: registry host, and the leftover /kaniko/.docker line', () => {
    const [d] = diagnose(read('push-unauthorized.log'));
    expect(d!.detail).toContain('Registry: registry.gitlab.example.com (token server gitlab.example.com).');
    expect(d!.detail).toContain('Line 14 still mentions /kaniko/.docker');
    expect(d!.fix).toContain('~/.docker/config.json');
    expect(d!.fix).toContain('DOCKER_AUTH_CONFIG');
  });

  test('HTTP registry names the host and both fixes', () => {
    const [d] = diagnose(read('http-registry.log'));
    expect(d!.detail).toBe('Registry: registry.lan:5000.');
    expect(d!.fix).toContain('registry.insecure=true');
    expect(d!.fix).toContain('http = true');
  });

  test('unknown buildctl flag names its replacement', () => {
    const d = diagnose(read('buildctl-unknown-flag.log'));
    expect(d[0]!.detail).toBe('buildctl has no -build-arg flag; use --opt build-arg:K=V.');
    expect(d[0]!.lines).toEqual([15, 26]);
    for (const [flag, fix] of [
      ['-tag', '--output type=image,name=REF,push=true'],
      ['-file', '--local dockerfile=DIR --opt filename=NAME'],
      ['-push', 'push=true'],
    ] as const) {
      const [x] = diagnose(`Incorrect Usage: flag provided but not defined: ${flag}\n`);
      expect(x!.code).toBe('KB811');
      expect(x!.detail).toContain(fix);
    }
    expect(diagnose('unknown flag: --build-arg\n')[0]!.code).toBe('KB811');
    // A flag buildctl does have is not this failure.
    expect(diagnose('flag provided but not defined: -frobnicate\n')).toEqual([]);
  });

  test('dockerfile given as a file names the path', () => {
    expect(diagnose(read('dockerfile-not-dir.log'))[0]!.detail).toBe(
      '/builds/acme/shop/dockerfiles/foo.dockerfile is not a directory.',
    );
  });

  test('entrypoint: timeout with script output is not diagnosed as entrypoint', () => {
    const log = [
      '$ buildctl-daemonless.sh build --frontend dockerfile.v0',
      '#5 [2/3] RUN make',
      'ERROR: Job failed: execution took longer than 1h0m0s seconds',
    ].join('\n');
    expect(diagnose(log)).toEqual([]);
  });

  test('entrypoint: daemon lines inside a daemon-log dump are not entrypoint evidence', () => {
    expect(found(read('slow-daemon.log'))).toEqual([['KB802', 15]]);
  });

  test('user namespaces: every documented sign', () => {
    for (const line of [
      '[rootlesskit:parent] error: failed to start the child: fork/exec /proc/self/exe: operation not permitted',
      'Error during unshare(CLONE_NEWUSER): Operation not permitted',
      'user namespaces are not enabled in /proc/sys/user/max_user_namespaces',
    ]) {
      expect(found(line)).toEqual([['KB808', 1]]);
    }
    // newuidmap failing is its own failure, with its own fixes
    expect(
      found(
        '[rootlesskit:parent] error: failed to setup UID/GID map: newuidmap 25 [0 1000 1 1 100000 65536] failed: newuidmap: Could not set caps',
      ),
    ).toEqual([['KB817', 1]]);
    expect(diagnose(read('userns-docker.log'))[1]!.fix).toContain('kernel.apparmor_restrict_unprivileged_userns=0');
  });

  test('several failures in one log, in line order', () => {
    expect(found(read('several.log'))).toEqual([
      ['KB816', 15],
      ['KB814', 19],
      ['KB805', 34],
    ]);
    const kaniko = diagnose(read('several.log'))[0]!;
    expect(kaniko.lines).toEqual([15, 17]);
    expect(kaniko.detail).toBe('/kaniko/.docker does not exist in moby/buildkit:rootless.');
  });

  test('a clean successful log has no diagnosis', () => {
    expect(diagnose(read('success.log'))).toEqual([]);
    expect(diagnose('')).toEqual([]);
  });
});

describe('log cleaning', () => {
  test('strips ANSI escapes, section markers and FF_TIMESTAMPS prefixes; keeps line numbers', () => {
    const raw =
      'a\n\x1b[0Ksection_start:1736758807:step_script[collapsed=true]\r\x1b[0K\x1b[0K\x1b[36;1mExecuting "step_script"\x1b[0;m\n2026-01-13T09:00:00.123456Z 00O+ hello\r\n';
    const lines = splitLog(raw);
    expect(lines.map((l) => [l.number, l.text])).toEqual([
      [1, 'a'],
      [2, 'Executing "step_script"'],
      [3, 'hello'],
    ]);
    expect(lines[1]!.section).toEqual({ kind: 'start', name: 'step_script' });
    expect(cleanLine('\x1b]0;title\x07x\x1b[?25l').text).toBe('x');
  });
});

describe('codes', () => {
  test('every code the table can emit is documented as an error (or a warning: a slow build) with a fix', () => {
    for (const f of KNOWN_FAILURES) {
      const doc = codeDoc(f.code);
      expect(doc).toBeDefined();
      expect(['error', 'warning']).toContain(doc!.severity);
      expect(doc!.todo.length).toBeGreaterThan(20);
    }
  });
  test('codes are unique and well-formed', () => {
    const codes = Object.keys({ ...DOCTOR_CODES, ...RUNNER_CONFIG_CODES });
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(c).toMatch(/^KB[89]\d\d$/);
    expect(new Set(KNOWN_FAILURES.map((f) => f.code)).size).toBe(KNOWN_FAILURES.length);
  });
});

describe('diagnose: more variants', () => {
  test('entrypoint banner: every daemon line outside a dump counts', () => {
    const [d] = diagnose(read('entrypoint-banner.log'));
    expect(d!.lines).toEqual([14, 16, 17, 18, 19]);
  });
  test('push refused: registry named from the push, pull access denied', () => {
    expect(
      diagnose(
        '#9 ERROR: failed to push registry.gitlab.com/acme/shop:1: unexpected status from HEAD request to https://registry.gitlab.com/v2/acme/shop/blobs/sha256:1: 401 Unauthorized\n',
      )[0]!.detail,
    ).toBe('Registry: registry.gitlab.com.');
    const pull = diagnose(
      'error: failed to solve: registry.example.com/base/python:3.12: pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed\n',
    );
    expect(pull.map((d) => d.code)).toEqual(['KB805']);
    // An HTTP 403 that is not about a registry is not this failure.
    expect(diagnose('curl: (22) The requested URL returned error: 403 Forbidden\n')).toEqual([]);
  });
  test('KB804 needs both: a timeout after script output is not diagnosed, daemon lines after a script command are not either', () => {
    const log = [
      '$ buildctl-daemonless.sh build',
      'time="x" level=info msg="running server on /run/user/1000/buildkit/buildkitd.sock"',
    ].join('\n');
    expect(diagnose(log)).toEqual([]);
  });
});

test('a line showing two failures goes to the more specific one (HTTP registry over auth)', () => {
  const line =
    'error: failed to solve: failed to push registry.lan:5000/acme/shop:dev: failed to authorize: failed to fetch anonymous token: Get "https://registry.lan:5000/token": http: server gave HTTP response to HTTPS client';
  expect(found(line)).toEqual([['KB806', 1]]);
});

test.each([
  [
    'error: failed to solve: failed to push registry.example.com/a/b:1: denied: requested access to the resource is denied',
    'KB805',
  ],
  ['error: failed to solve: failed to fetch anonymous token: authentication required', 'KB805'],
  [
    'error: failed to solve: registry.example.com/a/b:1: failed to authorize: failed to fetch oauth token: 403 Forbidden',
    'KB805',
  ],
  [
    'error: failed to solve: failed to push registry.example.com/a/b:1: unauthorized: HTTP Basic: Access denied',
    'KB805',
  ],
  ['error: invalid local: stat /builds/g/p/Dockerfile: not a directory', 'KB807'],
  ['error: stat ./docker/Dockerfile: not a directory', 'KB807'],
  ['#7 0.120 exec /usr/local/bin/docker-entrypoint.sh: exec format error', 'KB809'],
  ['/bin/sh: eval: line 140: bash: not found', 'KB814'],
  [
    'error getting credentials - err: exec: "docker-credential-ecr-login": executable file not found in $PATH, out: ``',
    'KB814',
  ],
  ['/bin/sh: eval: line 9: [[: not found', 'KB815'],
  ['/bin/sh: eval: line 9: /kaniko/executor: not found', 'KB816'],
  [
    'runc run failed: unable to start container process: error during container init: mount proc:/proc (via /proc/self/fd/6), flags: 0xe: operation not permitted',
    'KB803',
  ],
])('one-line form: %s', (line, code) => {
  expect(diagnose(line + '\n').map((d) => d.code)).toEqual([code]);
});
