/**
 * KB3xx, Kaniko flags: flags unknown, dropped, mapped with a difference, or not migrated, as the flag table
 * (`src/kaniko/flags.ts`) and the call planner (`src/kaniko/context.ts`) report them.
 */
import type { CodeTable } from '../entry.js';

export const FLAG_CODES = {
  KB301: {
    severity: 'manual',
    title: 'A Kaniko flag this tool does not know',
    explanation:
      'The word is not a Kaniko executor flag in any known version (or has a value that is not known before the job runs). Passing it to buildctl would fail, so the call cannot be rewritten safely.',
    action: 'The job is left unchanged.',
    todo: "Check the spelling. If it is a real flag, find its BuildKit equivalent in BuildKit's `docs/buildctl.md` and the Dockerfile frontend's options (the README's flag table lists the mapped ones), and migrate the call by hand.",
  },
  KB302: {
    severity: 'info',
    title: 'Flag dropped: BuildKit already behaves so',
    explanation:
      'The flag only tunes Kaniko internals (snapshots, cleanup, logging, retries of its own), or asks for something BuildKit always does.',
    action: 'Removed from the call.',
    todo: 'Nothing.',
  },
  KB303: {
    severity: 'warning',
    title: 'Flag dropped: behaviour differs',
    explanation:
      'The flag has no BuildKit counterpart; the build still works, but one detail differs (cache lifetime, retries, single-layer images, ignored paths).',
    action: 'Removed from the call.',
    todo: 'Read the message: decide whether the difference matters for this image.',
  },
  KB304: {
    severity: 'warning',
    title: 'Dockerfile or context location decided without seeing the file',
    explanation:
      'Kaniko reads a relative `--dockerfile` from the job folder when that file exists there, else from inside the context. BuildKit needs the folder. The tool checks the repository; when it cannot (the path holds variables, or the file is not there), it picks the likelier reading.',
    action: 'The call uses the reading the message names.',
    todo: 'Check that `--local dockerfile=` and `--opt filename=` name the Dockerfile you build.',
  },
  KB305: {
    severity: 'warning',
    title: '--context-sub-path with a plain-path context',
    explanation:
      'Kaniko applies `--context-sub-path` only to `scheme://` contexts and ignores it for a plain path, so the sub-path never took effect.',
    action: 'Dropped, to build what Kaniko built.',
    todo: 'If the sub-folder was meant, append it to `--local context=` yourself.',
  },
  KB306: {
    severity: 'manual',
    title: 'A build context BuildKit cannot read here',
    explanation:
      'The context is a `tar://`, `s3://`, `gs://`, Azure blob or `git://` URL (or a GCS bucket). The rootless BuildKit image has no cloud tools, and remote contexts are not rewritten yet.',
    action: 'The job is left unchanged.',
    todo: 'Download and unpack the context in the script (busybox `wget`/`tar`), then build it with `--local context=DIR`; a git repository can be passed as `--opt context=https://host/repo.git#ref`.',
  },
  KB307: {
    severity: 'manual',
    title: '--dockerfile is a URL',
    explanation:
      'Kaniko downloads a Dockerfile given as an http(s) URL. buildctl reads the Dockerfile from a local folder.',
    action: 'The job is left unchanged.',
    todo: 'Download it first (`wget -O Dockerfile.remote URL`) and pass `--local dockerfile=. --opt filename=Dockerfile.remote`.',
  },
  KB308: {
    severity: 'warning',
    title: 'A build argument whose form is only known at run time',
    explanation:
      'Kaniko accepts `--build-arg K` (value from the environment); buildctl up to v0.32 rejects `--opt build-arg:K` without `=`. The value here is a variable, so its form is unknown.',
    action: 'Passed as `--opt build-arg:<value>`.',
    todo: 'Make sure the value always holds `K=V`.',
  },
  KB309: {
    severity: 'manual',
    title: 'The cache repository cannot be derived',
    explanation:
      'With `--cache=true` and no `--cache-repo`, Kaniko caches in `<repository of the first --destination>/cache`. That repository is only known at run time here.',
    action: 'The job is left unchanged.',
    todo: 'Add `--cache-repo REPO` to the Kaniko call (for example `$CI_REGISTRY_IMAGE/cache`), then run again.',
  },
  KB310: {
    severity: 'manual',
    title: 'A Kaniko flag not migrated automatically yet',
    explanation:
      'The flag has a BuildKit equivalent that needs more than a flag swap (a buildkitd.toml registry entry, output attributes, a metadata file), which this version does not generate.',
    action: 'The job is left unchanged.',
    todo: 'Follow the message: it names the BuildKit equivalent to write by hand.',
  },
  KB311: {
    severity: 'manual',
    title: 'A Kaniko behaviour BuildKit does not have',
    explanation:
      'The flag asks for something with no BuildKit counterpart (no fallback to the original registry, bundled credential helpers, ignoring immutable-tag errors, a dry run).',
    action: 'The job is left unchanged.',
    todo: 'Decide what the job should do without it, then migrate by hand.',
  },
  KB312: {
    severity: 'warning',
    title: 'No destination and no --no-push',
    explanation: 'Kaniko refuses to run without `--destination` unless `--no-push` is set, so this job failed before.',
    action: 'The migrated call only builds (no `--output`).',
    todo: 'Add the image name to push, or accept a build-only job.',
  },
  KB313: {
    severity: 'warning',
    title: 'A Unicode look-alike in the command line',
    explanation:
      'A no-break, ideographic or other Unicode space, or a typographic dash, stands where an ASCII space or hyphen was meant. The shell does not split on it, so Kaniko received one odd word and rejected it.',
    action:
      'Read as the evident intent (the flag and its value) and migrated; the character is gone from the new call.',
    todo: 'Check the flag is what you meant, and look for the same slip elsewhere in the file.',
  },
  KB314: {
    severity: 'warning',
    title: 'Cache repository derived when the job runs',
    explanation:
      'With `--cache=true` and no `--cache-repo`, Kaniko caches in `<repository of the first --destination>/cache`. The destination is only known at run time here, so the migrated call strips its tag in the shell (`sed`) and appends `/cache`.',
    action: 'Migrated with `--import-cache`/`--export-cache` refs computed in the job.',
    todo: 'Prefer a fixed cache repository: add `--cache-repo` to the original or edit the refs.',
  },
  KB315: {
    severity: 'info',
    title: 'Platform: BuildKit emulates, Kaniko did not',
    explanation:
      'Kaniko `--custom-platform` only picked the base image for that platform; RUN steps ran natively. BuildKit builds for `--opt platform=` and runs RUN steps of another architecture under its bundled QEMU emulators.',
    action: 'Mapped to `--opt platform=…`.',
    todo: 'Expect slower RUN steps for a foreign architecture. Emulation needs the runner to allow it (binfmt is bundled in the image).',
  },
  KB316: {
    severity: 'warning',
    title: 'Reproducible builds: same idea, other digests',
    explanation:
      'Kaniko `--reproducible` zeroes every layer timestamp (base layers too) and sets created to 0001-01-01. BuildKit uses SOURCE_DATE_EPOCH=0 with rewrite-timestamp=true: only the new layers are rewritten, and created is the Unix epoch.',
    action: 'Mapped to `--opt build-arg:SOURCE_DATE_EPOCH=0` and `rewrite-timestamp=true` on the output.',
    todo: 'Builds stay reproducible, but digests differ from the Kaniko ones: update anything pinned to old digests.',
  },
  KB317: {
    severity: 'warning',
    title: 'TLS verification skipped for pushes only',
    explanation:
      'Kaniko `--skip-tls-verify` skipped verification for every registry call, base-image pulls included. BuildKit takes `registry.insecure=true` for the push and the cache, and per registry host (buildkitd.toml) for pulls.',
    action: 'Mapped to `registry.insecure=true` on the output and cache.',
    todo: 'If the Dockerfile pulls from a registry with a self-signed certificate, add `--skip-tls-verify-registry HOST` for it and run again (it becomes `[registry."HOST"] insecure = true`).',
  },
  KB318: {
    severity: 'manual',
    title: 'Steps after the call cannot be placed',
    explanation:
      'Kaniko wrote digest files itself; with BuildKit the job writes them from `--metadata-file` right after the call. The call sits in a pipeline or an `&&`/`||` list, where extra lines would change what runs.',
    action: 'The job is left unchanged.',
    todo: 'Put the executor call on its own line (or in an `if`), then run again.',
  },
  KB319: {
    severity: 'warning',
    title: 'A call Kaniko refused: cache without a repository, and no push',
    explanation:
      'Kaniko stops before building when `--cache=true` and `--no-push` are given without `--cache-repo` ("if using cache with --no-push, specify cache repo with --cache-repo"), with or without destinations: it does not derive a cache repository from images it will not push. The original job failed at that call (or was allowed to fail). The osscontainertools fork accepts it with `--no-push-cache`; that call is mapped like any other.',
    action:
      "Migrated as the build it evidently meant: no registry cache (BuildKit still caches in the daemon for the job's life), nothing pushed. The job no longer fails there.",
    todo: 'If the job was meant to use a registry cache, add `--cache-repo REPO` to the Kaniko call and run again, or add `--import-cache type=registry,ref=REPO:buildkit` to the buildctl call.',
  },
  KB320: {
    severity: 'info',
    title: 'A Dockerfile read from standard input',
    explanation:
      'Kaniko read `--dockerfile /dev/stdin` like a file (`echo "FROM $IMAGE" | /kaniko/executor …`, a retag). buildctl takes the Dockerfile from a folder (`--local dockerfile=DIR`).',
    action:
      'The call becomes a group that saves its standard input first: `{ mkdir -p /tmp/stdin-dockerfile && cat > /tmp/stdin-dockerfile/Dockerfile && buildctl-daemonless.sh build … --local dockerfile=/tmp/stdin-dockerfile; }`. The pipe into it is kept.',
    todo: 'Nothing, unless the job writes to /tmp/stdin-dockerfile itself.',
  },
  KB321: {
    severity: 'info',
    title: 'A registry cache ref of its own for each build',
    explanation:
      "Kaniko stored each cached layer under its own content-keyed tag, so several builds could share one `--cache-repo`. A BuildKit registry cache is one manifest per ref: builds exporting to the same `REPO:buildkit` (the jobs of a `parallel: matrix`, an amd64 and an arm64 job, two calls in one job) overwrite each other's cache on every run. Where only one build writes a repository, it keeps `REPO:buildkit`.",
    action:
      'Each build that writes the repository exports to and imports from its own tag, `buildkit-<job name slug>` (with the Dockerfile or a number when one job has several calls); a job that runs in parallel, or whose call text other jobs share, uses `buildkit-${CI_JOB_NAME_SLUG}`. A call that only reads the cache (`--no-push-cache`) imports every ref it can name.',
    todo: 'Nothing, unless another tool reads the cache under `:buildkit`; then point it at the ref the message names.',
  },
  KB322: {
    severity: 'info',
    title: 'A Dockerfile path resolved when the job runs',
    explanation:
      'Kaniko reads `--dockerfile` as given when that file exists (an absolute path, or one relative to the job folder), else inside the context (`resolveDockerfilePath` in Kaniko\'s `cmd/executor/cmd/root.go`). When the path holds a variable the pipeline file does not settle (`DOCKERFILE_PATH=${DOCKERFILE_PATH:-"$CTX/Dockerfile"}` in the script), only the job can tell which reading applies; buildctl needs the Dockerfile\'s folder.',
    action:
      'The call computes the folder when it runs, the way Kaniko chose the file: `--local dockerfile="$(df=PATH; [ -e "$df" ] || [ -L "$df" ] || df=CONTEXT/"$df"; dirname "$df")" --opt filename="$(basename PATH)"`.',
    todo: 'Nothing.',
  },
} satisfies CodeTable<'3'>;
