/**
 * THE flag table: one entry per Kaniko executor flag (v1.24.0, plus the chainguard and osscontainertools forks), with
 * every spelling, its value kind, what it becomes in BuildKit, and its examples. Adding a flag is adding an entry here.
 *
 * Flags and defaults: Kaniko `cmd/executor/cmd/root.go` (`addKanikoOptionsFlags`, `init`) and `pkg/config/options.go`;
 * what they become: BuildKit `cmd/buildctl/build.go`, `frontend/dockerui/config.go`, `docs/buildkitd.toml.md`.
 * Sections are phases (see Phase in types.ts); the mappings longer than a line live in the files named below.
 */
import { field, type CsvField } from '../plan/build-plan.js';
import { displayText, lit, splitFirst, staticText } from '../shell/quote.js';
import { planBuildArgs, planReproducible } from './build.js';
import { planCache } from './cache.js';
import {
  attribute,
  bool,
  drop,
  each,
  ex,
  exManual,
  fixed,
  group,
  list,
  manual,
  mapped,
  optKey,
  optPrefix,
  secretValue,
  STOP,
  str,
  table,
  shownValue,
  valueOf,
} from './define.js';
import { planDigestFiles } from './digest-files.js';
import { planDestinations, planOciLayout, planTarPath } from './outputs.js';
import {
  insecureRegistry,
  registryCertificate,
  registryClientCert,
  registryMap,
  registryMirror,
  skipTlsVerifyRegistry,
} from './registries.js';
import { planSource } from './source.js';
import type { KanikoFlag } from './types.js';

export type { FlagAction, FlagKind, KanikoFlag, VariableRole } from './types.js';

const REG = 'registry.example.com';
const TOML = 'BUILDKITD_FLAGS="$BUILDKITD_FLAGS --config /tmp/buildkitd.toml"';
const PUSHED = `--destination ${REG}/app:1`;
const IMAGE = `type=image,name=${REG}/app:1,push=true`;
const SED = `sed -n 's/.*"containerimage.digest": *"\\([^"]*\\)".*/\\1/p' ~/.buildkit-metadata.json`;
const ALL_REGISTRY_RECORDS = { images: true, importCache: true, exportCache: true };

export const FLAGS: readonly KanikoFlag[] = table({
  source: [
    // source.ts: the context, then the Dockerfile resolved against it.
    ...group(planSource, [
      [
        str('context-sub-path', ['--context-sub-path']),
        ['source'],
        [
          ex('--context=dir://. --context-sub-path=app', '--local context=app'),
          ex('--context=. --context-sub-path=app', '', { findings: ['KB305'] }),
        ],
      ],
      [
        str('context', ['--context', '-c']),
        ['source'],
        [ex('--context=app', '--local context=app'), exManual('--context=s3://bucket/ctx.tar.gz', 'KB306')],
      ],
      [
        str('dockerfile', ['--dockerfile', '-f']),
        ['source'],
        [
          ex('--context=. --dockerfile=app/web.dockerfile', '--local dockerfile=app --opt filename=web.dockerfile'),
          ex(
            '--context=. --dockerfile=/dev/stdin',
            '{ mkdir -p /tmp/stdin-dockerfile && cat > /tmp/stdin-dockerfile/Dockerfile && --local dockerfile=/tmp/stdin-dockerfile ; }',
            { findings: ['KB320'] },
          ),
        ],
      ],
    ]),
    manual(
      str('bucket', ['--bucket', '-b']),
      'KB306',
      'a GCS bucket context has no BuildKit equivalent in the rootless image',
      [exManual('--bucket=my-bucket', 'KB306')],
    ),
    manual(list('git', ['--git']), 'KB306', 'options for a git:// context; git contexts are not migrated yet', [
      exManual('--git=branch=main', 'KB306'),
    ]),
  ],

  build: [
    optKey(str('target', ['--target']), 'target', [ex('--target=final', '--opt target=final')]),
    // build.ts
    mapped(list('build-arg', ['--build-arg']), ['opt'], planBuildArgs, [
      ex('--build-arg=A=1', '--opt build-arg:A=1'),
      ex('--build-arg=HTTP_PROXY', '--opt "build-arg:HTTP_PROXY=${HTTP_PROXY}"'),
    ]),
    optPrefix(list('label', ['--label']), 'label:', [ex('--label=team=web', '--opt label:team=web')]),
    optKey(
      str('custom-platform', ['--custom-platform', '--customPlatform']),
      'platform',
      [ex('--custom-platform=linux/arm64', '--opt platform=linux/arm64', { findings: ['KB315'] })],
      (ctx, use) =>
        ctx.report(
          'KB315',
          `${use.spelling} ${shownValue(use)}: BuildKit builds for that platform and emulates RUN steps with its bundled QEMU when it is not the runner's; Kaniko only picked the base image for it`,
          use,
        ),
    ),
    secretValue(list('secret', ['--secret']), [ex('--secret=id=token,env=TOKEN', '--secret id=token,env=TOKEN')]),
  ],

  destinations: [
    // outputs.ts: the push switch and the image names make the image output.
    ...group(planDestinations, [
      [bool('no-push', ['--no-push']), ['push'], [ex(`${PUSHED} --no-push`, '', { removes: `--output ${IMAGE}` })]],
      [
        list('destination', ['--destination', '-d']),
        ['image-names'],
        [
          ex(PUSHED, `--output ${IMAGE}`),
          ex(
            `${PUSHED} -d ${REG}/app:latest`,
            `--output type=image,\\"name=${REG}/app:1,${REG}/app:latest\\",push=true`,
          ),
        ],
      ],
    ]),
  ],

  outputs: [
    mapped(str('tar-path', ['--tar-path', '--tarPath']), ['output'], planTarPath, [
      ex(`${PUSHED} --tar-path=image.tar`, `--output type=docker,dest=image.tar,name=${REG}/app:1`),
    ]),
    mapped(str('oci-layout-path', ['--oci-layout-path']), ['output'], planOciLayout, [
      ex('--no-push --oci-layout-path=layout', '--output type=oci,dest=layout,tar=false'),
    ]),
    // digest-files.ts: the three files are planned together (both name files are tagged when the tagged one is asked for).
    ...group(planDigestFiles, [
      [
        str('digest-file', ['--digest-file']),
        ['output'],
        [
          ex(`${PUSHED} --digest-file=out/digest`, '--metadata-file ~/.buildkit-metadata.json', {
            after: ['mkdir -p "$(dirname out/digest)"', `${SED} | tr -d '\\n' > out/digest`],
          }),
        ],
      ],
      [
        str('image-name-with-digest-file', ['--image-name-with-digest-file']),
        ['output'],
        [
          ex(`${PUSHED} --image-name-with-digest-file=names`, '--metadata-file ~/.buildkit-metadata.json', {
            after: ['mkdir -p "$(dirname names)"', `DIGEST=$(${SED})`, `printf '%s\\n' ${REG}/app@"$DIGEST" > names`],
          }),
        ],
      ],
      [
        str('image-name-tag-with-digest-file', ['--image-name-tag-with-digest-file']),
        ['output'],
        [
          ex(`${PUSHED} --image-name-tag-with-digest-file=tags`, '--metadata-file ~/.buildkit-metadata.json', {
            after: ['mkdir -p "$(dirname tags)"', `DIGEST=$(${SED})`, `printf '%s\\n' ${REG}/app:1@"$DIGEST" > tags`],
          }),
          exManual('--no-push --image-name-tag-with-digest-file=tags', 'KB301'),
        ],
      ],
    ]),
  ],

  cache: [
    // cache.ts: the cache, its repository and whether it is pushed are one decision.
    ...group(planCache, [
      [
        str('cache-repo', ['--cache-repo']),
        ['cache'],
        [
          ex(
            `${PUSHED} --cache --cache-repo=${REG}/cache`,
            `--import-cache type=registry,ref=${REG}/cache:buildkit --export-cache type=registry,ref=${REG}/cache:buildkit,mode=max,ignore-error=true`,
          ),
        ],
      ],
      [
        bool('no-push-cache', ['--no-push-cache']),
        ['cache'],
        [
          ex(
            `${PUSHED} --no-push --cache --no-push-cache`,
            `--import-cache type=registry,ref=${REG}/app/cache:buildkit`,
          ),
        ],
      ],
      [
        bool('cache', ['--cache']),
        ['cache'],
        [
          ex(
            `${PUSHED} --cache`,
            `--import-cache type=registry,ref=${REG}/app/cache:buildkit --export-cache type=registry,ref=${REG}/app/cache:buildkit,mode=max,ignore-error=true`,
          ),
          ex('--no-push --cache', '', { findings: ['KB319'] }),
        ],
      ],
    ]),
    drop(
      str('cache-dir', ['--cache-dir']),
      'KB303',
      'BuildKit has no base-image cache folder filled by a warmer; base images are pulled',
      [ex('--cache-dir=/cache', '', { findings: ['KB303'] })],
    ),
    drop(
      str('cache-ttl', ['--cache-ttl']),
      'KB303',
      'a registry cache in BuildKit has no time-to-live; old entries are reused until overwritten',
      [ex('--cache-ttl=24h', '', { findings: ['KB303'] })],
    ),
    drop(bool('cache-copy-layers', ['--cache-copy-layers']), 'KB302', 'BuildKit caches every step, COPY included', [
      ex('--cache-copy-layers', '', { findings: ['KB302'] }),
    ]),
    drop(bool('cache-run-layers', ['--cache-run-layers']), 'KB302', 'BuildKit caches every step, RUN included', [
      ex('--cache-run-layers', '', { findings: ['KB302'] }),
    ]),
    drop(
      bool('compressed-caching', ['--compressed-caching']),
      'KB302',
      'a Kaniko memory/CPU trade-off with no BuildKit counterpart',
      [ex('--compressed-caching=false', '', { findings: ['KB302'] })],
    ),
  ],

  attributes: [
    attribute(
      str('compression', ['--compression']),
      { images: true, exportCache: true },
      (_ctx, use) => field('compression', valueOf(use)),
      [ex(`${PUSHED} --compression=zstd`, `--output ${IMAGE},compression=zstd`)],
    ),
    // Kaniko uses the level only when it is above 0 (its default is -1).
    attribute(
      str('compression-level', ['--compression-level']),
      { images: true, exportCache: true },
      (_ctx, use) => (/^-|^0$/.test(displayText(valueOf(use))) ? undefined : field('compression-level', valueOf(use))),
      [
        ex(`${PUSHED} --compression-level=3`, `--output ${IMAGE},compression-level=3`),
        ex(`${PUSHED} --compression-level=0`, ''),
      ],
    ),
    attribute(
      str('image-format', ['--image-format']),
      { images: true },
      (ctx, use) => {
        const v = staticText(valueOf(use));
        if (v === 'docker' || v === 'oci') return field('oci-mediatypes', lit(v === 'oci' ? 'true' : 'false'));
        ctx.report('KB301', `--image-format ${shownValue(use)}: expected docker or oci`, use);
        return STOP;
      },
      [
        ex(`${PUSHED} --image-format=docker`, `--output ${IMAGE},oci-mediatypes=false`),
        exManual(`${PUSHED} --image-format=v2`, 'KB301'),
      ],
    ),
    attribute(
      list('annotation', ['--annotation']),
      { images: true },
      (ctx, use): CsvField | typeof STOP => {
        const parts = splitFirst(valueOf(use), '=');
        if (parts) return { key: `annotation.${staticText(parts[0]) ?? displayText(parts[0])}`, values: [parts[1]] };
        ctx.report('KB301', `--annotation ${shownValue(use)}: expected KEY=VALUE`, use);
        return STOP;
      },
      [ex(`${PUSHED} --annotation=team=web`, `--output ${IMAGE},annotation.team=web`)],
    ),
    // build.ts
    mapped(bool('reproducible', ['--reproducible']), ['opt', 'attribute'], planReproducible, [
      ex(`${PUSHED} --reproducible`, `--opt build-arg:SOURCE_DATE_EPOCH=0 --output ${IMAGE},rewrite-timestamp=true`, {
        findings: ['KB316'],
      }),
    ]),
    // Plain HTTP (after an HTTPS try) for the push destinations and the cache repo: the same as registry.insecure.
    attribute(bool('insecure', ['--insecure']), ALL_REGISTRY_RECORDS, fixed('registry.insecure', 'true'), [
      ex(`${PUSHED} --insecure`, `--output ${IMAGE},registry.insecure=true`),
    ]),
    attribute(
      bool('skip-tls-verify', ['--skip-tls-verify']),
      ALL_REGISTRY_RECORDS,
      fixed('registry.insecure', 'true'),
      [ex(`${PUSHED} --skip-tls-verify`, `--output ${IMAGE},registry.insecure=true`, { findings: ['KB317'] })],
      (ctx) =>
        ctx.report(
          'KB317',
          '--skip-tls-verify: pushes and the cache skip TLS verification (registry.insecure=true); Kaniko also skipped it for base-image pulls, which BuildKit needs per registry host: if the Dockerfile pulls from a registry with a self-signed certificate, add --skip-tls-verify-registry HOST to the Kaniko call and run again',
        ),
    ),
  ],

  registries: [
    manual(
      bool('insecure-pull', ['--insecure-pull']),
      'KB311',
      'BuildKit sets plain HTTP per registry host; replace it with --insecure-registry HOST for each registry the Dockerfile pulls from, then run again',
      [exManual('--insecure-pull', 'KB311')],
    ),
    // registries.ts
    each(list('insecure-registry', ['--insecure-registry']), ['registry'], insecureRegistry, [
      ex(`--insecure-registry=${REG}`, TOML, { toml: [`[registry."${REG}"]`, '  http = true'] }),
    ]),
    each(list('skip-tls-verify-registry', ['--skip-tls-verify-registry']), ['registry'], skipTlsVerifyRegistry, [
      ex(`--skip-tls-verify-registry=${REG}`, TOML, { toml: [`[registry."${REG}"]`, '  insecure = true'] }),
    ]),
    each(list('registry-certificate', ['--registry-certificate']), ['registry'], registryCertificate, [
      ex(`--registry-certificate=${REG}=/certs/ca.crt`, TOML, {
        toml: [`[registry."${REG}"]`, '  ca = ["/certs/ca.crt"]'],
      }),
      exManual('--registry-certificate=/certs/ca.crt', 'KB301'),
    ]),
    each(list('registry-client-cert', ['--registry-client-cert']), ['registry'], registryClientCert, [
      ex(`--registry-client-cert=${REG}=/certs/c.crt,/certs/c.key`, TOML, {
        toml: [
          `[registry."${REG}"]`,
          `  [[registry."${REG}".keypair]]`,
          '    key = "/certs/c.key"',
          '    cert = "/certs/c.crt"',
        ],
      }),
    ]),
    each(list('registry-mirror', ['--registry-mirror']), ['registry'], registryMirror, [
      ex('--registry-mirror=mirror.gcr.io', TOML, {
        toml: ['[registry."docker.io"]', '  mirrors = ["mirror.gcr.io"]'],
      }),
      ex('--registry-mirror=http://mirror.local:5000', TOML, {
        toml: [
          '[registry."docker.io"]',
          '  mirrors = ["mirror.local:5000"]',
          '[registry."mirror.local:5000"]',
          '  http = true',
        ],
      }),
    ]),
    each(list('registry-map', ['--registry-map']), ['registry'], registryMap, [
      ex('--registry-map=index.docker.io=mirror.gcr.io', TOML, {
        toml: ['[registry."docker.io"]', '  mirrors = ["mirror.gcr.io"]'],
      }),
    ]),
    drop(
      bool('skip-tls-verify-pull', ['--skip-tls-verify-pull']),
      'KB302',
      'the flag has had no effect in Kaniko since v0.23.0',
      [ex('--skip-tls-verify-pull', '', { findings: ['KB302'] })],
    ),
    manual(
      bool('skip-default-registry-fallback', ['--skip-default-registry-fallback']),
      'KB311',
      'BuildKit always falls back to the original registry after its mirrors',
      [exManual('--skip-default-registry-fallback', 'KB311')],
    ),
    manual(
      list('credential-helpers', ['--credential-helpers']),
      'KB311',
      'the BuildKit image has no credential helpers; write ~/.docker/config.json instead',
      [exManual('--credential-helpers=ecr', 'KB311')],
    ),
    manual(
      bool('push-ignore-immutable-tag-errors', ['--push-ignore-immutable-tag-errors']),
      'KB311',
      'BuildKit fails on an immutable-tag push error; decide whether the job may fail or push another tag',
      [exManual('--push-ignore-immutable-tag-errors', 'KB311')],
    ),
    drop(
      str('push-retry', ['--push-retry']),
      'KB303',
      'BuildKit retries failed pushes on its own (1 s, 2 s, 4 s) and has no retry count',
      [ex('--push-retry=3', '', { findings: ['KB303'] })],
    ),
    drop(
      str('image-download-retry', ['--image-download-retry']),
      'KB303',
      'BuildKit retries failed pulls on its own and has no retry count',
      [ex('--image-download-retry=3', '', { findings: ['KB303'] })],
    ),
    drop(str('image-fs-extract-retry', ['--image-fs-extract-retry']), 'KB302', 'a Kaniko-internal retry', [
      ex('--image-fs-extract-retry=3', '', { findings: ['KB302'] }),
    ]),
    drop(
      bool('skip-push-permission-check', ['--skip-push-permission-check']),
      'KB302',
      'BuildKit never checks push permission before the build',
      [ex('--skip-push-permission-check', '', { findings: ['KB302'] })],
    ),
  ],

  internals: [
    drop(
      bool('single-snapshot', ['--single-snapshot']),
      'KB303',
      'buildctl cannot squash the image into one layer; the image keeps one layer per step',
      [ex('--single-snapshot', '', { findings: ['KB303'] })],
    ),
    drop(
      str('snapshot-mode', ['--snapshot-mode', '--snapshotMode']),
      'KB302',
      'Kaniko snapshot algorithm; BuildKit uses its snapshotter',
      [ex('--snapshot-mode=redo', '', { findings: ['KB302'] })],
    ),
    drop(bool('use-new-run', ['--use-new-run']), 'KB302', 'experimental Kaniko RUN detection', [
      ex('--use-new-run', '', { findings: ['KB302'] }),
    ]),
    drop(
      bool('ignore-var-run', ['--ignore-var-run', '--whitelist-var-run']),
      'KB302',
      'Kaniko snapshot filter; BuildKit keeps what RUN writes',
      [ex('--ignore-var-run=false', '', { findings: ['KB302'] })],
    ),
    drop(
      list('ignore-path', ['--ignore-path']),
      'KB303',
      'BuildKit keeps files RUN writes under ignored paths; remove them in the Dockerfile if they matter',
      [ex('--ignore-path=/var/cache', '', { findings: ['KB303'] })],
    ),
    drop(str('kaniko-dir', ['--kaniko-dir']), 'KB302', 'the Kaniko work folder does not exist in BuildKit', [
      ex('--kaniko-dir=/kaniko', '', { findings: ['KB302'] }),
    ]),
    drop(bool('force', ['--force']), 'KB302', 'BuildKit runs anywhere the daemon starts', [
      ex('--force', '', { findings: ['KB302'] }),
    ]),
    drop(
      bool('cleanup', ['--cleanup']),
      'KB302',
      'BuildKit builds in its own snapshots; the job filesystem is not touched',
      [ex('--cleanup', '', { findings: ['KB302'] })],
    ),
    drop(bool('pre-cleanup', ['--pre-cleanup']), 'KB302', 'BuildKit builds in its own snapshots', [
      ex('--pre-cleanup', '', { findings: ['KB302'] }),
    ]),
    drop(
      bool('preserve-context', ['--preserve-context']),
      'KB302',
      'BuildKit builds in its own snapshots; pass secrets with --secret',
      [ex('--preserve-context', '', { findings: ['KB302'] })],
    ),
    drop(bool('materialize', ['--materialize']), 'KB302', 'a Kaniko filesystem detail', [
      ex('--materialize', '', { findings: ['KB302'] }),
    ]),
    drop(
      bool('skip-unused-stages', ['--skip-unused-stages']),
      'KB302',
      'BuildKit always skips stages the target does not need',
      [ex('--skip-unused-stages', '', { findings: ['KB302'] })],
    ),
    drop(bool('force-build-metadata', ['--force-build-metadata']), 'KB302', 'a Kaniko layer detail', [
      ex('--force-build-metadata', '', { findings: ['KB302'] }),
    ]),
    manual(
      bool('dryrun', ['--dryrun']),
      'KB311',
      'no buildctl dry run; the nearest is --opt requestid=frontend.outline',
      [exManual('--dryrun', 'KB311')],
    ),
    drop(str('verbosity', ['--verbosity', '-v']), 'KB302', 'log level; buildctl prints plain progress in CI', [
      ex('--verbosity=debug', '', { findings: ['KB302'] }),
    ]),
    drop(str('log-format', ['--log-format']), 'KB302', 'buildctl prints plain progress in CI', [
      ex('--log-format=text', '', { findings: ['KB302'] }),
    ]),
    drop(bool('log-timestamp', ['--log-timestamp']), 'KB302', 'buildctl progress has its own timing', [
      ex('--log-timestamp', '', { findings: ['KB302'] }),
    ]),
  ],
});

const bySpelling = new Map<string, KanikoFlag>();
for (const flag of FLAGS) for (const s of flag.spellings) bySpelling.set(s, flag);

export function flagBySpelling(spelling: string): KanikoFlag | undefined {
  return bySpelling.get(spelling);
}

export function flagByName(name: string): KanikoFlag | undefined {
  return FLAGS.find((f) => f.name === name);
}
