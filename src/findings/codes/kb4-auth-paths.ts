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
      'Besides the executor and /kaniko/.docker, the script uses a file of the Kaniko image (`/kaniko/ssl/certs/…` for custom CAs, `/kaniko/warmer`, `/busybox/…`). The BuildKit image has none of them, and `/` is not writable there (the job runs as uid 1000).',
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
} satisfies CodeTable<'4'>;
