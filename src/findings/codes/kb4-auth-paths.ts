/**
 * KB4xx, registry auth and paths of the Kaniko image: the credentials Kaniko's built-in GitLab helper supplied,
 * credential helpers, DOCKER_AUTH_CONFIG, and `/kaniko/…` or `/busybox/…` paths the script uses. Messages both job
 * recipes write are here.
 */
import type { CodeTable } from '../entry.js';

export const AUTH_PATH_CODES = {
  KB402: {
    severity: 'info',
    title: 'GitLab registry credentials written explicitly',
    explanation:
      'Kaniko (since v1.9.0) logs in to `$CI_REGISTRY` by itself with `$CI_REGISTRY_USER`/`$CI_REGISTRY_PASSWORD`, for pushes, the cache and base images. buildctl has no such helper and reads only `~/.docker/config.json` (or `DOCKER_AUTH_CONFIG`). A job with no registry config of its own relied on the helper.',
    action: 'Lines that write those credentials to `~/.docker/config.json` are added before the build.',
    todo: 'Nothing, unless the job pushes to other registries too: add them to the same file.',
    messages: {
      builtInHelper: () =>
        'Kaniko logged in to $CI_REGISTRY by itself (its built-in GitLab helper); the job now writes those credentials to ~/.docker/config.json',
    },
  },
  KB403: {
    severity: 'manual',
    title: 'Credential helpers the BuildKit image does not have',
    explanation:
      'The registry config names `credHelpers`/`credsStore` (ecr-login, gcr, acr-env). The Kaniko image bundles those helpers; `moby/buildkit:rootless` has none.',
    action: 'The job is left unchanged.',
    todo: 'Fetch a token in an earlier job or step (for ECR: `aws ecr get-login-password`) and write it under "auths" in ~/.docker/config.json, or use a custom image with the helper.',
    messages: {
      credentialHelpers: (helpers: readonly string[]) =>
        `the registry config names credential helpers (${helpers.join(', ')}) that the BuildKit image does not have; write the credentials into ~/.docker/config.json ("auths") instead`,
    },
  },
  KB404: {
    severity: 'manual',
    title: 'The script uses another path of the Kaniko image',
    explanation:
      'Besides the executor and /kaniko/.docker, the script uses a file of the Kaniko image (`/kaniko/warmer`, a file it reads there, a path the executor call itself names). The BuildKit image has none of them, and `/` is not writable there (the job runs as uid 1000). `/kaniko/ssl/certs` (KB407), `/busybox/…` (KB406) and a scratch file the job writes and reads back outside the call (KB414) are moved instead.',
    action: 'The job is left unchanged.',
    todo: 'Custom CA: give BuildKit the certificate per registry in a buildkitd.toml (`[registry."host"] ca=["/path/ca.crt"]`, passed with `--config` in BUILDKITD_FLAGS) or append it to a copy of the bundle and export SSL_CERT_FILE. `/busybox/sh` becomes `sh`. The warmer has no BuildKit counterpart: drop it.',
  },
  KB405: {
    severity: 'warning',
    title: 'DOCKER_AUTH_CONFIG would shadow the registry config',
    explanation:
      "buildctl from BuildKit v0.24 reads the DOCKER_AUTH_CONFIG variable before ~/.docker/config.json and ignores the file when it is set. GitLab projects often set it for the runner's own image pulls. Kaniko (Google) never read it, so its pushes used the config file.",
    action:
      '`unset DOCKER_AUTH_CONFIG` is added before the build, so buildctl reads ~/.docker/config.json as Kaniko did.',
    todo: 'If the build needs the DOCKER_AUTH_CONFIG credentials too (private base images), merge them into the config file the job writes.',
    messages: {
      shadows: () =>
        'DOCKER_AUTH_CONFIG is set for this job: buildctl (v0.24+) would read it instead of ~/.docker/config.json, where Kaniko never read it; the job now unsets it before the build so the push credentials win',
    },
  },
  KB406: {
    severity: 'info',
    title: 'A /busybox/ tool path',
    explanation:
      'The Kaniko debug image keeps busybox under /busybox. The BuildKit image is Alpine: the same applets are in PATH.',
    action: 'The path is replaced by the applet name (`/busybox/sh` → `sh`).',
    todo: 'Nothing.',
  },
  KB407: {
    severity: 'info',
    title: 'A custom CA moved out of /kaniko/ssl/certs',
    explanation:
      'The Kaniko image sets SSL_CERT_DIR=/kaniko/ssl/certs and jobs append their CA there. The BuildKit image has no /kaniko and runs as uid 1000. Go programs (buildctl, buildkitd) read every file in SSL_CERT_DIR on top of the system bundle.',
    action:
      'The path becomes ~/.ssl/certs; `mkdir -p ~/.ssl/certs` and `export SSL_CERT_DIR="$HOME/.ssl/certs"` are added before the first use.',
    todo: 'If only one registry needs the CA, a buildkitd.toml `ca` entry is narrower: `--registry-certificate HOST=/path/ca.crt` in the Kaniko call before migrating does that.',
  },
  KB413: {
    severity: 'info',
    title: 'A CA bundle the job appends to, copied under ~',
    explanation:
      "The script adds a CA to the system bundle (`>> /etc/ssl/certs/ca-certificates.crt`). The rootless BuildKit image runs as uid 1000 and the bundle is root's, so the write fails with Permission denied. Go programs (buildctl, buildkitd) read the file SSL_CERT_FILE names instead of the system bundle.",
    action:
      'The path becomes `~/.ssl/ca-certificates.crt` in every command of the job; before the first use, `mkdir -p ~/.ssl`, a copy of the system bundle there, and `export SSL_CERT_FILE="$HOME/.ssl/ca-certificates.crt"` are added.',
    todo: 'Tools that ignore SSL_CERT_FILE (a `--registry-certificate` in the call reads its own file) still use the system bundle.',
    messages: {
      bundle: (path: string, to: string) =>
        `${path} is root's and the rootless image runs as uid 1000: the job appends to ~/${to} instead, a copy of the system bundle, and exports SSL_CERT_FILE to it for buildctl and buildkitd`,
    },
  },
  KB414: {
    severity: 'info',
    title: 'A file the job writes and reads back, moved under $HOME',
    explanation:
      "The script writes a file of its own where uid 1000 cannot (`/kaniko/token`, `mv $KEY /service_account_key.json`) and reads it back by the same path. The BuildKit image has no /kaniko and `/` is root's.",
    action: 'The path becomes `$HOME/NAME` in every command of the job that names it.',
    todo: 'If something outside the script (a `variables:` entry, a CI/CD setting) names the old path, point it to $HOME/NAME too.',
    messages: {
      moved: (path: string, to: string) =>
        `the job writes ${path}, which uid 1000 cannot create in the rootless image, and reads it back: it is $HOME/${to} now in every command that names it`,
    },
  },
  KB415: {
    severity: 'warning',
    title: 'A path the rootless user cannot write',
    explanation:
      'The script writes a file outside the places uid 1000 can write in `moby/buildkit:rootless` (its home, /tmp, the build dir), and it is not a file the tool can move: the job does not read it back by the same path, or something else (a tool, a setting) reads it where it is. Kaniko ran as root, so the write worked; now it fails with Permission denied.',
    action: 'Migrated; the line is left as it is.',
    todo: 'Write the file under $HOME (or /tmp) and point whatever reads it there; for a CA, see KB413 and KB407.',
    messages: {
      unwritable: (path: string, line: string) =>
        `\`${line}\` writes ${path}, which uid 1000 cannot write in the rootless image (Permission denied); write it under $HOME and point its readers there`,
    },
  },
} satisfies CodeTable<'4'>;
