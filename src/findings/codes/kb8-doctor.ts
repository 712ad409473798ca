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
      'operation not permitted`, or user namespaces reported as disabled (newuidmap failing to write the UID map is KB817). ' +
      'There is no drop-in that works on such a runner without relaxing seccomp/AppArmor or using privileged mode (gitlab-runner#38957).',
    action: 'doctor reports the line.',
    todo: [
      `Docker executor: in the runner's config.toml, [runners.docker] \`${DOCKER_SECURITY_OPT}\``,
      '(or `privileged = true`).',
      'Host: on Ubuntu >= 24.04 set the sysctl `kernel.apparmor_restrict_unprivileged_userns=0`; elsewhere make sure',
      '`user.max_user_namespaces` is greater than 0.',
      'Kubernetes: see KB801 (AppArmor annotation) and do not set `allowPrivilegeEscalation: false` on the build container.',
      '`kaniko2buildkit runner-config FILE` adds the Docker security_opt (and the Kubernetes annotation) to a runner config.toml.',
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
  KB817: {
    severity: 'error',
    title: 'newuidmap could not map the build user namespace (rootlesskit: failed to setup UID/GID map)',
    explanation:
      'rootlesskit gives buildkitd a user namespace in which uid 1000 is root and the 65536 subordinate IDs of `/etc/subuid` ' +
      '(`user:100000:65536`) are the other users; `newuidmap`, a setuid-capable helper, writes that map. ' +
      '`newuidmap: write to uid_map failed: Operation not permitted` means the kernel refused the map: seccomp or AppArmor ' +
      'blocks it, or the container already runs in a user namespace too small for 65536 more IDs (a rootless Docker or Podman ' +
      'runner, LXD: moby/buildkit#3297). `newuidmap: Could not set caps` means newuidmap has no privileges to use: ' +
      '`no-new-privileges` (Docker `security_opt`, Kubernetes `allowPrivilegeEscalation: false`) stops it. Kaniko needs no user ' +
      'namespace, so the same runner built with Kaniko.',
    action: 'doctor reports the line and says which of the two it is.',
    todo: [
      'Docker executor: in [runners.docker], `security_opt = ["seccomp:unconfined", "apparmor:unconfined"]` and no',
      '`no-new-privileges` (`kaniko2buildkit runner-config FILE` adds the first).',
      'Kubernetes executor: do not set `allowPrivilegeEscalation: false` on the build container; see KB801 for AppArmor.',
      'A runner that is itself rootless (rootless Docker or Podman, LXD) must give the container 65536 subordinate IDs more than',
      'it uses, or run the job on a runner that is not.',
    ].join('\n'),
  },
  KB818: {
    severity: 'warning',
    title: 'overlayfs is not available to rootless buildkitd: it falls back to fuse-overlayfs or native',
    explanation:
      "`auto snapshotter: overlayfs is not available for /home/user/.local/share/buildkit, trying fuse-overlayfs: …`: buildkitd's state " +
      'folder is where it mounts overlay filesystems, and a rootless mount of overlayfs needs Linux 5.11 or later and a state folder ' +
      'that is not itself on overlayfs. The image declares that folder a VOLUME, which the Docker executor honours; the Kubernetes ' +
      "executor does not, so the folder sits on the container's own overlay filesystem and the mount fails (`failed to mount overlay: " +
      'invalid argument`, moby/buildkit#5049). The build still runs, on fuse-overlayfs if /dev/fuse is there (KB819), else on the ' +
      'native snapshotter, which copies every layer: slower, and much more disk.',
    action: 'doctor reports the line.',
    todo: [
      'Give the build container its own volume at the state folder. Kubernetes executor, in config.toml:',
      '  [[runners.kubernetes.volumes.empty_dir]]',
      '    name = "buildkitd"',
      '    mount_path = "/home/user/.local/share/buildkit"',
      'and a node kernel of 5.11 or later. Nothing is needed when the build is fast enough as it is.',
    ].join('\n'),
  },
  KB819: {
    severity: 'warning',
    title: 'fuse-overlayfs is not usable (no /dev/fuse): buildkitd uses the native snapshotter',
    explanation:
      'After overlayfs (KB818), rootless buildkitd tries fuse-overlayfs, which needs the `/dev/fuse` device in the container. Without ' +
      'it the check fails (`fuse-overlayfs not functional, make sure running with kernel >= 4.18: failed to mount fuse-overlayfs … no ' +
      "such device`, `fuse: device not found, try 'modprobe fuse' first`) and buildkitd falls back to the native snapshotter " +
      "(`auto snapshotter: using native`), which copies each layer in full: builds are slower and can fill the runner's disk " +
      '(`no space left on device`). With `--oci-worker-snapshotter=fuse-overlayfs` set explicitly, buildkitd does not start at all.',
    action: 'doctor reports the line.',
    todo: [
      'Prefer overlayfs (KB818: a volume at /home/user/.local/share/buildkit, kernel >= 5.11). For fuse-overlayfs instead, give the',
      'container /dev/fuse: Docker executor `devices = ["/dev/fuse"]` in [runners.docker]; Kubernetes needs a device plugin (or',
      'privileged). Drop an explicit `--oci-worker-snapshotter=fuse-overlayfs` from BUILDKITD_FLAGS where /dev/fuse cannot be had.',
    ].join('\n'),
  },
  KB820: {
    severity: 'error',
    title: 'runc inside rootless BuildKit cannot use the cgroup filesystem',
    explanation:
      'Each RUN step is a runc container. Rootless, runc has no cgroup of its own to manage and must cope with a read-only or ' +
      'foreign `/sys/fs/cgroup`. runc 1.2.0 and 1.2.1 did not when removing a step (`unable to destroy container: unable to remove ' +
      "container's cgroup: open /sys/fs/cgroup/…: no such file or directory`, moby/buildkit#5491, fixed in runc 1.2.2), so BuildKit " +
      'images built with them fail on the first RUN. Other signs that the container gives runc no usable cgroup v2 tree: ' +
      '`unable to get cgroup freezer state: openat2 /sys/fs/cgroup/…/cgroup.freeze: permission denied`, `no cgroup mount found in ' +
      'mountinfo`.',
    action: 'doctor reports the line.',
    todo: [
      'Use a current rootless image (moby/buildkit:rootless, or v0.32.2-rootless, the version migrate pins): its runc is newer',
      'than 1.2.1. If the error stays, the runner gives the container no writable cgroup v2: check the host is on',
      'cgroup v2 and the container gets its own cgroup namespace (the Docker default on cgroup v2), and report the BuildKit version',
      'and the host (distribution, kernel) with the line.',
    ].join('\n'),
  },
  KB821: {
    severity: 'error',
    title: 'buildkitd runs as root, not rootless: "can\'t enable NoProcessSandbox without Rootless"',
    explanation:
      '`--oci-worker-no-process-sandbox` (set through BUILDKITD_FLAGS in every migrated job) is allowed only in rootless mode. ' +
      '`buildctl-daemonless.sh` starts buildkitd rootless through rootlesskit only when it runs as a user other than root; as uid 0 ' +
      'it starts buildkitd directly, and buildkitd stops with this message. So the job runs as root: the rootful image ' +
      '(`moby/buildkit:latest`, `:vX.Y.Z`, without `-rootless`) was used, or the runner or pod overrides the image user ' +
      '(uid 1000) with root.',
    action: 'doctor reports the line.',
    todo: [
      'Use the rootless image: `image: { name: moby/buildkit:rootless, entrypoint: [""] }` (or a pinned vX.Y.Z-rootless); check',
      'that the runner (Docker `user`, Kubernetes `runAsUser`) does not make the job run as root. A job that must stay rootful',
      'needs a privileged runner and no --oci-worker-no-process-sandbox.',
    ].join('\n'),
  },
  KB822: {
    severity: 'warning',
    title: 'DOCKER_AUTH_CONFIG reaches buildctl and is not in the form it reads',
    explanation:
      'buildctl from BuildKit v0.24 reads the variable DOCKER_AUTH_CONFIG before `~/.docker/config.json` (docker/cli 28.3). GitLab ' +
      "projects often define it for the runner's own image pulls, so it now reaches the build too. It must be " +
      '`{"auths":{"HOST":{"auth":"base64(user:password)"}}}`; anything else is ignored with `Failed to create credential store from ' +
      'DOCKER_AUTH_CONFIG: …` (docker/cli#6156) and the file is used. One that parses wins over the file, with its credentials, ' +
      'which may not be allowed to push (a 401/403: KB805).',
    action: 'doctor reports the line; `migrate` writes `unset DOCKER_AUTH_CONFIG` before the build (KB411).',
    todo: [
      'Unset it in the job before the build (`- unset DOCKER_AUTH_CONFIG`, what migrate writes) so that ~/.docker/config.json is',
      'read, or write it in the form above with every registry the build pulls from and pushes to.',
    ].join('\n'),
  },
} satisfies CodeTable<'8'>;
