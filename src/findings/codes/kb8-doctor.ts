/**
 * KB8xx, `doctor`: a known failure recognised in a BuildKit job log. `doctor` prints `title`, then `todo` as the fix;
 * `explanation` is the diagnosis. The matchers are in `src/doctor/known-failures.ts`.
 *
 * Sources: moby/buildkit `examples/buildctl-daemonless/buildctl-daemonless.sh` (startup, `could not connect … after N
 * trials`, BUILDCTL_CONNECT_RETRIES_MAX), `cmd/buildkitd/main_oci_worker.go` (`--oci-worker-no-process-sandbox`),
 * `docs/buildkitd.toml.md`, the `rootless` stage of its `Dockerfile` (the image's user, tools and paths),
 * `docs/rootless.md` and `examples/kubernetes/job.rootless.yaml`; GitLab's "Build Docker images with BuildKit" page
 * (docs.gitlab.com/ci/docker/using_buildkit/, troubleshooting) and gitlab-org/gitlab-runner#38957; and logs of
 * migrated jobs run against a real rootless BuildKit.
 */
import type { CodeTable } from '../entry.js';

/** The pod annotation GitLab documents for rootless BuildKit on Kubernetes runners (as `runner-config` writes it). */
export const APPARMOR_TOML = [
  '[runners.kubernetes.pod_annotations]',
  '  "container.apparmor.security.beta.kubernetes.io/build" = "unconfined"',
];
/** The Docker executor's `[runners.docker]` option that lets rootless BuildKit create its user namespace. */
export const DOCKER_SECURITY_OPT = 'security_opt = ["seccomp:unconfined", "apparmor:unconfined"]';
export const DOCTOR_CODES = {
  KB801: {
    severity: 'error',
    title: 'AppArmor blocks the mounts rootless BuildKit needs (Kubernetes runner)',
    explanation:
      '`[rootlesskit:child ] error: failed to share mount point: /: permission denied`: rootlesskit could not set up the mount ' +
      'namespace for buildkitd, because the AppArmor profile the container runtime applies to the build container blocks the ' +
      'mount syscalls. Kaniko needs no namespaces or mounts, so the same runner built with Kaniko. buildkitd never starts, so ' +
      '`buildctl-daemonless.sh` also prints `could not connect to … after N trials` just above the daemon log.',
    action:
      'doctor reports the line. `kaniko2buildkit runner-config FILE` adds the annotation to a runner config.toml or Helm values.yaml.',
    todo: [
      "Run the job's build container without AppArmor confinement. In the runner's config.toml:",
      ...APPARMOR_TOML.map((l) => '  ' + l),
      'With the gitlab-runner Helm chart, the same lines go into values.yaml:',
      '  runners:',
      '    config: |',
      '      [[runners]]',
      ...APPARMOR_TOML.map((l) => '        ' + l),
      '`kaniko2buildkit runner-config FILE` adds it to either form (`--dry-run` shows the diff first).',
      "BuildKit's own Kubernetes example also sets `seccompProfile: Unconfined` and, on Kubernetes >= 1.30, `appArmorProfile: Unconfined`.",
    ].join('\n'),
  },
  KB802: {
    severity: 'error',
    title: 'buildkitd did not start: buildctl-daemonless.sh gave up connecting to it',
    explanation:
      '`buildctl-daemonless.sh` starts buildkitd in the background (through rootlesskit when not uid 0), then polls ' +
      '`buildctl debug workers` up to BUILDCTL_CONNECT_RETRIES_MAX times (default 10, about 2.2 s in all). When the daemon is ' +
      'not reachable by then it prints `could not connect to <addr> after N trials`, then `========== log ==========` and the ' +
      "daemon's own log, and exits 1. The message itself is generic: the cause is in that daemon log.",
    action: 'doctor reports the line and diagnoses the known failures in the daemon log printed after it separately.',
    todo: [
      'Read the daemon log printed after `========== log ==========`; known failures in it are listed as their own diagnoses.',
      'If that log shows no error (the daemon was still starting), the runner is slow: raise BUILDCTL_CONNECT_RETRIES_MAX in the',
      'job\'s variables, e.g. `BUILDCTL_CONNECT_RETRIES_MAX: "60"`.',
    ].join('\n'),
  },
  KB803: {
    severity: 'error',
    title: 'RUN step cannot mount /proc: BUILDKITD_FLAGS=--oci-worker-no-process-sandbox is missing',
    explanation:
      'Each RUN step gets a new PID namespace and a fresh /proc mount. Where /proc is masked (Kubernetes, or Docker without ' +
      '`systempaths=unconfined`) runc fails with `error mounting "proc" to rootfs at "/proc" … operation not permitted`. ' +
      "`--oci-worker-no-process-sandbox` makes RUN containers share the daemon's PID namespace and /proc, so no /proc is mounted. " +
      'Cost: stray processes are not killed, and a RUN step can signal (maybe ptrace) daemon processes.',
    action: 'doctor reports the line.',
    todo: [
      'Set the variable on the job (buildctl-daemonless.sh word-splits it, so no value may contain spaces):',
      '  variables:',
      '    BUILDKITD_FLAGS: --oci-worker-no-process-sandbox',
      'On a Docker executor the alternative is the runner option `security_opt = ["systempaths=unconfined"]`.',
    ].join('\n'),
  },
  KB804: {
    severity: 'error',
    title: 'Job hangs until timeout: the image entrypoint was not reset (entrypoint: [""])',
    explanation:
      'The rootless image\'s ENTRYPOINT is `["rootlesskit","buildkitd"]`. Without `entrypoint: [""]` the runner starts the daemon in the ' +
      'foreground instead of the job script, so nothing from the script (no `$ …` lines, no buildctl progress) ever appears, and the job ' +
      'runs until it times out. Daemon lines such as `running server on …/buildkitd.sock` at the top of the job output point the same way.',
    action: 'doctor reports the timeout line or the first daemon line outside a `========== log ==========` dump.',
    todo: [
      "Reset the entrypoint in the job's image:",
      '  image:',
      '    name: moby/buildkit:rootless',
      '    entrypoint: [""]',
    ].join('\n'),
  },
  KB805: {
    severity: 'error',
    title: 'Registry refused the credentials (unauthorized / denied)',
    explanation:
      'buildctl reads registry credentials from `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json` (`/home/user/.docker` in the ' +
      'rootless image); Kaniko read `/kaniko/.docker/config.json`, which does not exist here. From BuildKit v0.24 the variable ' +
      '`DOCKER_AUTH_CONFIG` is read first and the file only as a fallback; it accepts only `{"auths":{host:{"auth":base64}}}`. ' +
      "GitLab projects often define DOCKER_AUTH_CONFIG for the runner's own image pulls, so it can shadow the file the job writes. " +
      'No docker-credential-* helpers ship in the image.',
    action: 'doctor reports the line.',
    todo: [
      'Write the credentials where buildctl reads them, before the build:',
      '  - mkdir -p ~/.docker',
      '  - echo "{\\"auths\\":{\\"$CI_REGISTRY\\":{\\"username\\":\\"$CI_REGISTRY_USER\\",\\"password\\":\\"$CI_REGISTRY_PASSWORD\\"}}}" > ~/.docker/config.json',
      'Check that the key is the registry host buildctl pushes to (and pulls from), that no script line still writes /kaniko/.docker,',
      'and whether a DOCKER_AUTH_CONFIG variable reaches the job: with BuildKit >= v0.24 it wins over the file (unset it in the job, or put',
      "the job's registry in it too).",
    ].join('\n'),
  },
  KB806: {
    severity: 'error',
    title: 'Registry speaks plain HTTP: mark it insecure for BuildKit',
    explanation:
      "`http: server gave HTTP response to HTTPS client`: BuildKit talks HTTPS to every registry except `localhost`. Kaniko's " +
      '`--insecure`/`--insecure-pull`/`--insecure-registry` have BuildKit counterparts: `registry.insecure=true` on an image output or a ' +
      'registry cache (skip-verify TLS and an HTTP fallback for that host, on push), or a buildkitd.toml `[registry."HOST"]` entry with ' +
      '`http = true`, which covers pulls, pushes and the registry cache.',
    action: 'doctor reports the line and names the host when the line shows it.',
    todo: [
      'For pushes: add `registry.insecure=true` to the output, e.g. `--output type=image,name=HOST/image:tag,push=true,registry.insecure=true`',
      '(and to `--export-cache`/`--import-cache type=registry,ref=…` when the cache lives there).',
      'For pulls too (FROM images on that registry): write a buildkitd.toml and pass it to the daemon:',
      '  [registry."HOST"]',
      '    http = true',
      '  BUILDKITD_FLAGS: --oci-worker-no-process-sandbox --config /tmp/buildkitd.toml',
      'The file must be readable by uid 1000.',
    ].join('\n'),
  },
  KB807: {
    severity: 'error',
    title: "--local dockerfile= names a file: it takes the Dockerfile's folder",
    explanation:
      "`--local dockerfile=DIR` is the directory that holds the Dockerfile, not the file itself, unlike Kaniko's `--dockerfile PATH`. " +
      'Given a file, buildctl stops with `invalid local: stat …: not a directory`. The file name goes in `--opt filename=NAME`.',
    action: 'doctor reports the line.',
    todo: [
      'Split the path into folder and file name, e.g. for dockerfiles/foo.dockerfile:',
      '  --local dockerfile=./dockerfiles --opt filename=foo.dockerfile',
    ].join('\n'),
  },
  KB808: {
    severity: 'error',
    title: 'No user namespaces for rootless BuildKit on this runner',
    explanation:
      'Rootless BuildKit needs user namespaces plus the mount/unshare syscalls; Kaniko needs neither, so a converted job can fail on a ' +
      'locked-down self-managed runner where Kaniko passed. Signs: `Error during unshare(CLONE_NEWUSER)`, `fork/exec /proc/self/exe: ' +
      'operation not permitted`, `newuidmap … Could not set caps` (also seen when a Kubernetes securityContext sets ' +
      '`allowPrivilegeEscalation: false`, which stops newuidmap from using its privileges), or user namespaces reported as disabled. ' +
      'There is no drop-in that works on such a runner without relaxing seccomp/AppArmor or using privileged mode (gitlab-runner#38957).',
    action: 'doctor reports the line.',
    todo: [
      `Docker executor: in the runner's config.toml, [runners.docker] \`${DOCKER_SECURITY_OPT}\``,
      '(or `privileged = true`).',
      'Host: on Ubuntu >= 24.04 set the sysctl `kernel.apparmor_restrict_unprivileged_userns=0`; elsewhere make sure',
      '`user.max_user_namespaces` is greater than 0.',
      'Kubernetes: see KB801 (AppArmor annotation) and do not set `allowPrivilegeEscalation: false` on the build container.',
    ].join('\n'),
  },
  KB809: {
    severity: 'error',
    title: 'exec format error: a binary for another CPU architecture (or a script without #!) was run',
    explanation:
      '`exec format error` means the kernel could not run the file: it was built for another platform, or it is a script without a ' +
      '`#!` line. With `--opt platform=…` (multi-arch builds) RUN steps of a foreign platform need QEMU emulation: the rootless image ships ' +
      '`buildkit-qemu-*` emulators, and a host can register binfmt_misc handlers instead.',
    action: 'doctor reports the line.',
    todo: [
      "Check which platform the failing step runs for: the `--opt platform=` value and the base image's platform (FROM --platform=…).",
      "Building only for the runner's own platform, or on a runner of the target architecture, avoids emulation; otherwise make sure",
      'emulation works there (binfmt_misc handlers registered on the host). For a script, add a `#!` line.',
    ].join('\n'),
  },
  KB810: {
    severity: 'error',
    title: "Bind mounts inside BuildKit's state dir are refused: mount an emptyDir there",
    explanation:
      '`… Options:[rbind ro]}]: operation not permitted`: the rootless daemon could not bind-mount from its state directory ' +
      '`/home/user/.local/share/buildkit` (a VOLUME of the image) as the runner provides it. The documented fix is a fresh ' +
      '`emptyDir` volume at that path.',
    action: 'doctor reports the line.',
    todo: [
      'Give the build container an emptyDir volume at /home/user/.local/share/buildkit. With the Kubernetes executor, in config.toml:',
      '  [[runners.kubernetes.volumes.empty_dir]]',
      '    name = "buildkitd"',
      '    mount_path = "/home/user/.local/share/buildkit"',
    ].join('\n'),
  },
  KB811: {
    severity: 'error',
    title: 'buildctl rejects a flag it does not have (--build-arg, --tag, --file, --push…)',
    explanation:
      "`buildctl build` has no `--build-arg`, `--tag`, `--file` or `--push` flags (nor Kaniko's `--destination`, `--dockerfile`, " +
      '`--context`); urfave/cli stops with `flag provided but not defined`. GitLab\'s own "proxy" example passes --build-arg to buildctl ' +
      'and fails the same way.',
    action: 'doctor reports the line and names the replacement for the flag.',
    todo: [
      'Use the buildctl forms:',
      '  --build-arg K=V        ->  --opt build-arg:K=V',
      '  --tag/-t REF, --push   ->  --output type=image,name=REF,push=true',
      '  --file/-f DIR/NAME     ->  --local dockerfile=DIR --opt filename=NAME',
      '  --target STAGE         ->  --opt target=STAGE',
      '  --platform P           ->  --opt platform=P',
      '  --label K=V            ->  --opt label:K=V',
    ].join('\n'),
  },
  KB812: {
    severity: 'error',
    title: 'type=registry is a buildx alias: buildkitd has no "registry" exporter',
    explanation:
      'buildkitd knows the outputs `image`, `oci`, `docker`, `local` and `tar`. `type=registry` exists only in docker buildx, so buildkitd ' +
      'rejects it with `exporter "registry" could not be found`. (In `--export-cache`/`--import-cache`, `type=registry` is correct.)',
    action: 'doctor reports the line.',
    todo: 'Replace `--output type=registry,name=REF` with `--output type=image,name=REF,push=true`.',
  },
  KB813: {
    severity: 'error',
    title: 'The Dockerfile was not found in the --local dockerfile= folder',
    explanation:
      'The dockerfile frontend reads `--opt filename=` (default `Dockerfile`) from the folder given as `--local dockerfile=`, ' +
      "resolved against the current directory. Kaniko's `--dockerfile` was a file path, resolved against the context when relative.",
    action: 'doctor reports the line.',
    todo: 'Point `--local dockerfile=` at the folder holding the Dockerfile and `--opt filename=` at its name within that folder.',
  },
  KB814: {
    severity: 'error',
    title: 'A tool the job calls is not in moby/buildkit:rootless',
    explanation:
      'The rootless image is Alpine with busybox (`sh`, `sed`, `awk`, `grep`, `tar`, `wget`, `base64`, …) plus git, openssh, openssl, ' +
      'pigz and xz. It has no bash, jq, curl, docker CLI or docker-credential-* helpers, which Kaniko jobs sometimes used from a ' +
      'debug image or assumed.',
    action: 'doctor reports the line.',
    todo: [
      'Rewrite the step with busybox tools (e.g. `wget -qO-` for curl, `sed` for jq one-liners), run it in another job, or build a',
      'derived image that adds the tool (`apk add`).',
    ].join('\n'),
  },
  KB815: {
    severity: 'error',
    title: 'bash syntax in a job that runs under busybox sh',
    explanation:
      'Job scripts in moby/buildkit:rootless run under busybox `sh` (ash), not bash: arrays, `<(...)` and other bash-isms fail with ' +
      '`syntax error: unexpected "("`. `set -o pipefail`, `${VAR:-x}` and `$(...)` work.',
    action: 'doctor reports the line.',
    todo: 'Rewrite the script line in POSIX sh (no arrays, no process substitution, no `[[ ]]`, no `function` keyword).',
  },
  KB816: {
    severity: 'error',
    title: 'The job still uses a Kaniko path (/kaniko/…, /busybox/…)',
    explanation:
      '`/kaniko` does not exist in moby/buildkit:rootless, and `/` is not writable for uid 1000, so `/kaniko/.docker/config.json`, ' +
      '`/kaniko/executor`, `/kaniko/ssl/certs/…` and `/busybox/sh` all fail.',
    action: 'doctor reports the line.',
    todo: [
      '/kaniko/executor -> buildctl-daemonless.sh build …; /kaniko/.docker/config.json -> ~/.docker/config.json (or set DOCKER_CONFIG',
      'to a writable folder); /busybox/sh -> sh; for /kaniko/ssl/certs use a per-registry `ca=[…]` in buildkitd.toml or SSL_CERT_FILE.',
    ].join('\n'),
  },
} satisfies CodeTable<'8'>;
