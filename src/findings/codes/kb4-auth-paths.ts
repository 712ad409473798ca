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
      'The registry config names `credHelpers`/`credsStore` helpers (gcr, acr-env, desktop, pass, …). The Kaniko image bundles docker-credential-{gcr,ecr-login,acr-env}; `moby/buildkit:rootless` has none, so buildctl fails to run the helper and the push is refused. ecr-login is fetched pinned (KB408); for the others this tool knows no release binary whose checksum it could pin.',
    action: 'The job is left unchanged.',
    todo: 'Either put the helper on PATH before the build (`mkdir -p ~/bin && wget -qO ~/bin/docker-credential-NAME URL && echo "SHA256  $HOME/bin/docker-credential-NAME" | sha256sum -c - && chmod +x ~/bin/docker-credential-NAME; export PATH="$HOME/bin:$PATH"`, with the official release URL and checksum of a version you choose), or use a custom image `FROM moby/buildkit:rootless` with the helper in it, or fetch a token in the job (OIDC `id_tokens` and the cloud\'s token exchange) and write it under "auths" in ~/.docker/config.json instead of the helper entry.',
    messages: {
      credentialHelpers: (helpers: readonly string[]) =>
        `the registry config names credential helpers (${helpers.join(', ')}) that the BuildKit image does not have: put docker-credential-${helpers[0] ?? 'NAME'} on PATH (pinned release binary in ~/bin, or an image FROM moby/buildkit:rootless with it), or write the credentials under "auths" in ~/.docker/config.json instead`,
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
      "buildctl from BuildKit v0.24 reads the DOCKER_AUTH_CONFIG variable before ~/.docker/config.json: for every registry it names, the file is not read (docker/cli `cli/config/configfile/file.go`, DOCKER_AUTH_CONFIG with the file as fallback). GitLab projects often set it for the runner's own image pulls (read-only). Kaniko (Google) never read it, so its pushes used the config file.",
    action:
      'When the job writes a registry config, `unset DOCKER_AUTH_CONFIG` is added before the build, so buildctl reads ~/.docker/config.json as Kaniko did. When the job writes none and its push relies on DOCKER_AUTH_CONFIG alone (the osscontainertools Kaniko fork reads it), the variable is kept: buildctl reads it too.',
    todo: 'If the build needs the DOCKER_AUTH_CONFIG credentials too (private base images), merge them into the config file the job writes.',
    messages: {
      shadows: () =>
        'DOCKER_AUTH_CONFIG is set for this job: buildctl (v0.24+) would read it instead of ~/.docker/config.json, where Kaniko never read it; the job now unsets it before the build so the push credentials win',
      kept: () =>
        'the job writes no registry config and names DOCKER_AUTH_CONFIG: its login comes from that variable, which buildctl (v0.24+) reads as well, so it is kept (not unset); GitLab registry credentials, when added, stay in ~/.docker/config.json for the registries it does not name',
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
  KB408: {
    severity: 'warning',
    title: 'ECR login Kaniko made by itself: the ECR credential helper is fetched',
    explanation:
      'Kaniko has a compiled-in ECR keychain and ships docker-credential-ecr-login (Kaniko `pkg/creds/creds.go`, `deploy/Dockerfile`): a job pushing to `*.dkr.ecr.*.amazonaws.com`, or naming ecr-login in `credHelpers`, logs in from the AWS credentials in the environment (web identity, instance role, AWS_* variables) with no step of its own. `moby/buildkit:rootless` has no helper, so buildctl\'s push is refused. Alternatives: a custom image `FROM moby/buildkit:rootless` with the helper in it (the added lines then skip the download); or OIDC `id_tokens` with `aws sts assume-role-with-web-identity` and `aws ecr get-login-password` in an earlier job, written under "auths" (https://docs.gitlab.com/ci/cloud_services/aws/).',
    action:
      'Before the build, the official release binary of amazon-ecr-credential-helper (pinned version and sha256, busybox `wget -qO` and `sha256sum -c`) goes to ~/bin, `export PATH="$HOME/bin:$PATH"` is added, and ~/.docker/config.json names the helper for the registry (`credHelpers`), next to the $CI_REGISTRY credentials Kaniko also had.',
    todo: 'Check that the job environment has the AWS credentials the helper reads (AWS_* variables, AWS_WEB_IDENTITY_TOKEN_FILE/AWS_ROLE_ARN, or an instance role), and that the runner can reach amazon-ecr-credential-helper-releases.s3.us-east-2.amazonaws.com.',
    messages: {
      added: (hosts: readonly string[], version: string) =>
        `Kaniko logged in to ${hosts.join(', ')} by itself (its built-in ECR keychain); the BuildKit image has no helper, so the job now fetches docker-credential-ecr-login ${version} (pinned sha256) into ~/bin, puts it on PATH and names it in ~/.docker/config.json (credHelpers)`,
      named: (version: string) =>
        `the registry config names the ecr-login helper, which the Kaniko image shipped and the BuildKit image does not have; the job now fetches docker-credential-ecr-login ${version} (pinned sha256) into ~/bin and puts it on PATH`,
    },
  },
  KB409: {
    severity: 'manual',
    title: 'A cloud registry login Kaniko made by itself',
    explanation:
      'Kaniko has compiled-in Google (GCR, Artifact Registry) and ACR keychains and ships docker-credential-{gcr,acr-env} (Kaniko `pkg/creds/creds.go`, `deploy/Dockerfile`): a job pushing to `*.gcr.io`, `*-docker.pkg.dev` or `*.azurecr.io` logs in from the cloud credentials in the environment with no step of its own. `moby/buildkit:rootless` has none of them. This tool pins only helpers whose release checksum it has checked (ECR, KB408); it does not guess one. Also reported for an ECR push in a job that writes its own registry config without naming the helper: the entry must go into that file.',
    action: 'The job is left unchanged.',
    todo: 'Google: `mkdir -p ~/bin && wget -qO- https://github.com/GoogleCloudPlatform/docker-credential-gcr/releases/download/vVERSION/docker-credential-gcr_linux_amd64-VERSION.tar.gz > /tmp/gcr.tgz && echo "SHA256  /tmp/gcr.tgz" | sha256sum -c - && tar -xzf /tmp/gcr.tgz -C ~/bin docker-credential-gcr; export PATH="$HOME/bin:$PATH"` and `"credHelpers":{"HOST":"gcr"}` in ~/.docker/config.json; Azure: the same with a docker-credential-acr-env release and `"credHelpers":{"HOST":"acr-env"}`. Or a custom image FROM moby/buildkit:rootless with the helper, or OIDC `id_tokens` and a token exchange (`gcloud auth print-access-token` → "auths" with user `oauth2accesstoken`; `az acr login --expose-token`).',
    messages: {
      cloudLogin: (host: string, helper: string) =>
        `the job pushes to ${host}, which Kaniko logged in to by itself (built-in keychain, docker-credential-${helper}); the BuildKit image has no such helper and this tool pins no checksum for it: put docker-credential-${helper} on PATH and add "credHelpers":{"${host}":"${helper}"} to ~/.docker/config.json, or write a token under "auths"`,
      ownConfig: (host: string) =>
        `the job pushes to ${host} (ECR, which Kaniko logged in to by itself) but writes its own registry config without an entry for it: add "credHelpers":{"${host}":"ecr-login"} to the config it writes; the job will then fetch the pinned helper (KB408)`,
    },
  },
  KB410: {
    severity: 'warning',
    title: 'The push registry is known only when the job runs',
    explanation:
      'A destination (or cache repository) starts with a variable whose value the file does not give (a CI/CD setting, a variable of the runner or a parent pipeline). If it names ECR, GCR/Artifact Registry or ACR, Kaniko logged in there by itself from the cloud credentials in the environment (Kaniko `pkg/creds/creds.go`); buildctl will not, and the push is refused.',
    action:
      'The job is migrated; only $CI_REGISTRY credentials are added (KB402) when it has no registry config of its own.',
    todo: 'If the variable names a cloud registry, add its login before the build: for ECR, the lines KB408 describes (or set the variable in the file and run again); for GCR or ACR, KB409.',
    messages: {
      unknownHost: (ref: string, variable: string) =>
        `the registry of ${ref} comes from ${variable}, which the file does not set: if it is an ECR, GCR/Artifact Registry or ACR registry, Kaniko logged in by itself and buildctl will not; add that login (see KB408, KB409)`,
    },
  },
  KB411: {
    severity: 'info',
    title: 'DOCKER_AUTH_CONFIG from CI/CD settings is unset before the build',
    explanation:
      "buildctl from BuildKit v0.24 reads DOCKER_AUTH_CONFIG before ~/.docker/config.json (docker/cli `cli/config/configfile/file.go`). Projects and groups often set it in CI/CD settings for the runner's image pulls, with read-only credentials, where the pipeline file never shows it; Kaniko (Google) never read it, so its push used the config file.",
    action:
      "`unset DOCKER_AUTH_CONFIG` is added before the build when the job writes a registry config (or one is added for it); when the job's config may come from a part this tool cannot read, it is unset only if the config file exists.",
    todo: 'Nothing, unless the build needs the DOCKER_AUTH_CONFIG credentials too (private base images): merge them into the config file.',
    messages: {
      unset: () =>
        "DOCKER_AUTH_CONFIG may be set in the CI/CD settings (this file does not name it): buildctl (v0.24+) would read it before ~/.docker/config.json, where Kaniko never did; the job unsets it before the build so the config file's push credentials win",
    },
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
