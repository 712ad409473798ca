import type { CodeDoc } from '../types.js';

/** Codes emitted while reading pipelines and migrating jobs (KB1xx input, KB2xx jobs, KB3xx flags, KB4xx auth). */
export const MIGRATE_CODES: CodeDoc[] = [
  // --- KB1xx: reading the pipeline -------------------------------------------------------------------------------------
  {
    code: 'KB101',
    severity: 'error',
    title: 'The file is not valid GitLab CI YAML',
    explanation:
      'The YAML parser rejected the file (syntax error, duplicate key, tab indentation), or its top level is not a mapping of keys to jobs.',
    action:
      'The file is reported with the line and column of the first problem and left untouched; the exit code is 2.',
    todo: "Fix the YAML (GitLab would reject it too: check it with the pipeline editor's validation), then run again.",
  },
  {
    code: 'KB102',
    severity: 'warning',
    title: 'An included local file is missing',
    explanation:
      'An `include: local` (or a bare path) names a file that is not in the repository. Its jobs could not be read.',
    action:
      'Everything else is migrated; jobs that extend templates from the missing file are migrated only when what they need is visible.',
    todo: 'Check the path. If the file is generated or comes from elsewhere, migrate it separately.',
  },
  {
    code: 'KB103',
    severity: 'info',
    title: 'An include that is not a file of this repository',
    explanation:
      '`include: project`, `remote`, `template` and `component` entries (and local wildcards) point outside the files at hand.',
    action: 'Not followed. Jobs defined there are not migrated from here.',
    todo: 'Migrate the included project or template in its own repository (see `kaniko2buildkit migrate --recursive`).',
  },
  {
    code: 'KB104',
    severity: 'error',
    title: 'An include points outside the repository',
    explanation:
      'A local include path climbs out of the repository (`../`), or a symbolic link leads outside it. GitLab would not read it either.',
    action: 'The path is not read.',
    todo: 'Fix the include path.',
  },
  {
    code: 'KB105',
    severity: 'error',
    title: 'The self-check failed: nothing written',
    explanation:
      'Before writing, the tool re-reads its own result: the YAML must parse, text outside the edits must be unchanged, every migrated job must hold exactly the planned buildctl call, jobs that were not migrated must be unchanged as data, and a second run must change nothing.',
    action: "The job (or the whole file, when the failure is not one job's) is left as it was.",
    todo: 'Please report it with the file: it is a bug in the tool. Migrate that job by hand meanwhile.',
  },
  {
    code: 'KB106',
    severity: 'error',
    title: 'A file cannot be read',
    explanation: 'The path does not exist, is not readable, is a folder, is over the size limit, or is not UTF-8 text.',
    action: 'Skipped; other files and repositories are still processed. Exit code 2.',
    todo: 'Check the path and its permissions.',
  },

  // --- KB2xx: jobs ------------------------------------------------------------------------------------------------------
  {
    code: 'KB202',
    severity: 'manual',
    title: 'A template shared with a job that is not migrated',
    explanation:
      'The image or script of this job lives in a template or YAML anchor that another job also uses, and that other job does not build with Kaniko (or is itself left for a person). Changing the shared node would change the other job: ' +
      'also through `extends`, which merges an `image:` mapping key by key (a job whose own image mapping sets both `name` and `entrypoint` is not affected). ' +
      "The BUILDKITD_FLAGS variable alone does not stop a migration: when the template is shared, it goes into the Kaniko job's own mapping.",
    action: 'Both jobs are left unchanged.',
    todo: 'Split the template (one for the Kaniko build, one for the rest), or move the image/script into the jobs, then run again.',
  },
  {
    code: 'KB203',
    severity: 'manual',
    title: 'A Kaniko image with no executor call in the pipeline',
    explanation:
      'The job runs in a Kaniko image, but its script does not call `/kaniko/executor` itself: it runs a script file that may, or uses the image for something else (crane-like tasks, the warmer).',
    action: 'The job is left unchanged: changing its image without its executor call would break it.',
    todo: 'Migrate the script file by hand: replace the executor call with `buildctl-daemonless.sh build …` (run `kaniko2buildkit explain KB301` for the flag mapping), switch the image to `moby/buildkit:rootless` with `entrypoint: [""]`, and set `BUILDKITD_FLAGS: --oci-worker-no-process-sandbox`.',
  },
  {
    code: 'KB204',
    severity: 'manual',
    title: 'Executor arguments known only when the job runs',
    explanation:
      'A word of the executor call is an unquoted variable or command substitution (`$KANIKO_ARGS`, `${DESTS}`, `$(…)`) that expands to several arguments at run time, and what it holds cannot be rewritten for buildctl: a command substitution or loop makes them, another command reads the variable too, its values mix flags that become different parts of the buildctl call (destinations with build args), or a value holds a flag that only works inside the call (`--cache`). ' +
      'Variables whose every value fits one place of the buildctl call are rewritten instead (KB207, KB213).',
    action: 'The job is left unchanged.',
    todo: 'Write those flags out in the call (or as buildctl flags: `--destination X` becomes a name in `--output type=image,name=X,push=true`, `--build-arg K=V` becomes `--opt build-arg:K=V`), then run again.',
  },
  {
    code: 'KB206',
    severity: 'manual',
    title: 'The job image cannot be changed from here',
    explanation:
      'The job calls the Kaniko executor, but its image is not a literal Kaniko image this tool can edit: it comes from a variable defined elsewhere, a component input, or the runner default.',
    action: 'The job is left unchanged.',
    todo: 'Set the image to `moby/buildkit:rootless` (or a pinned `vX.Y.Z-rootless`) with `entrypoint: [""]` where it is defined, then run again.',
  },
  {
    code: 'KB205',
    severity: 'warning',
    title: 'A custom Kaniko image replaced',
    explanation:
      "The job runs the executor from an image that is not a stock Kaniko image (a team's own rebuild, a mirror under another name, an image built by an earlier job). The BuildKit image replaces it.",
    action: 'Migrated; the image becomes moby/buildkit:rootless.',
    todo: 'If that image carried other tools the script uses (curl, jq, git…), install them another way or build a BuildKit-based image with them.',
  },
  {
    code: 'KB207',
    severity: 'info',
    title: 'Executor flags held in a variable, rewritten',
    explanation:
      'The executor call takes flags from a variable defined in the pipeline file (`$KANIKO_ARGS`). Every value of the variable holds flags that fit one place of the buildctl call (build args, labels, target, platform, secrets; or only destinations; or only `--no-push`), and no other command reads it.',
    action:
      "The variable's value is rewritten: to buildctl arguments (`--opt build-arg:K=V`, …) that the call passes through; to a comma-separated list of image names read into `--output name=`; or to `false` read as `push=${VAR:-true}`.",
    todo: 'If the variable is also set in CI/CD settings or by a trigger, use buildctl arguments there too.',
  },
  {
    code: 'KB212',
    severity: 'warning',
    title: 'A variable of executor arguments defined outside the pipeline file',
    explanation:
      'The executor call expands a variable (`$KANIKO_ADDITIONAL_ARGS`) that no `variables:` block and no script line of the pipeline sets. It is usually an extension point left empty, or set in CI/CD settings, a trigger or a schedule, where this tool cannot read it.',
    action:
      'Migrated: the call passes the variable to buildctl as it is. When it is empty, nothing changes; when it holds Kaniko flags, buildctl stops with "flag provided but not defined".',
    todo: 'Wherever the variable is set, write buildctl arguments instead (`--opt build-arg:K=V`, `--opt label:K=V`, `--opt target=T`; see `kaniko2buildkit explain KB204`).',
  },
  {
    code: 'KB213',
    severity: 'info',
    title: 'Executor flags built by the script, rewritten',
    explanation:
      'The script builds executor flags in a variable (`DESTS="$DESTS --destination=$X"`, `dry=--no-push`, `LABELS="$LABELS --label k=v"`) and the call expands it. Every assignment holds flags that fit one place of the buildctl call, and no other command reads the variable (echo/printf aside: the log then shows the new form).',
    action:
      'Each assignment is rewritten in place, conditions and order kept: destinations become a comma-separated list of image names (`DESTS="${DESTS:+$DESTS,}$X"`) read into `--output "type=image,\\"name=…${DESTS:+,$DESTS}\\",push=true"`; `--no-push` becomes `false`, read as `push=${dry:-true}`; build args, labels and target become buildctl arguments passed through.',
    todo: 'If the variable is also set outside the pipeline file (CI/CD settings), give it the new form there too.',
  },
  {
    code: 'KB214',
    severity: 'warning',
    title: 'Executor flags held in a variable, written into the call',
    explanation:
      "The executor call expands a variable defined in `variables:` (`$KANIKO_CACHE_ARGS: --cache=true --cache-ttl=24h`) holding flags that only work inside the call: `--cache` needs the call's destinations, and buildctl spreads it over `--import-cache` and `--export-cache`. No script sets the variable and no command other than echo/printf reads it.",
    action:
      "The call is migrated with the variable's flags (its value for that job) read where the variable stood; the buildctl call no longer reads the variable, whose definition stays as it was.",
    todo: 'To change those flags later, change the buildctl call. A job, include or CI/CD setting that overrides the variable no longer changes the build: move such overrides into the call, and delete the variable when nothing else prints it.',
  },
  {
    code: 'KB215',
    severity: 'info',
    title: 'Own copies instead of a shared template',
    explanation:
      "The job's image, or script items it reaches through an alias in its own list (`- *setup`), live in a template or anchor that a job which is not migrated also uses (a `crane` job on the same Kaniko image, for example). Changing them there would change that job too.",
    action:
      'The job gets its own `image:` mapping (BuildKit, `entrypoint: [""]`) and, in place of the alias item, the migrated copies of the anchored items; the template and the anchor stay as they were for the other job. Anything else shared (items inherited through `extends` or `!reference`, variables) still leaves the job for a person (KB202).',
    todo: 'Check the copies: a later change to the anchor no longer reaches this job.',
  },
  {
    code: 'KB216',
    severity: 'info',
    title: 'An executor wrapper the job writes, migrated with its calls',
    explanation:
      'The job writes a script around the executor with a here-document (`cat <<EOF > /kaniko/default-executor` holding `/kaniko/executor --cache … "$@"`), makes it executable, and calls it with more flags. That script goes to a Kaniko path the rootless user cannot create, and it would pass Kaniko flags to buildctl.',
    action:
      'Each call of the wrapper becomes one buildctl call with the wrapper\'s flags and the call\'s together (the wrapper\'s first, as `"$@"` put them); the lines that wrote the wrapper and made it executable are removed. Only a wrapper whose body is one executor call ending in `"$@"`, written in a `|` block, and used by no other command is migrated this way; any other executor call in a string stays for a person (KB210).',
    todo: 'If other jobs or scripts call the wrapper, give them buildctl calls too.',
  },
  {
    code: 'KB208',
    severity: 'warning',
    title: 'The Kaniko image came through a mirror',
    explanation:
      "The job pulled Kaniko through a registry mirror (a path prefix before the Kaniko repository). The BuildKit image is written as Docker Hub's moby/buildkit, which that network may not reach. GitLab's dependency proxy prefix is kept, since it serves Docker Hub.",
    action: 'Migrated with moby/buildkit from Docker Hub.',
    todo: 'Mirror moby/buildkit where Kaniko was mirrored and run again with `--buildkit-image MIRROR/moby/buildkit:TAG`, or edit the image.',
  },
  {
    code: 'KB209',
    severity: 'manual',
    title: 'A script item that cannot be edited in place',
    explanation:
      'The script item holding the call is written in a YAML form the editor does not rewrite in place (for example a block scalar with an explicit indentation indicator).',
    action: 'The job is left unchanged.',
    todo: 'Rewrite the item as a plain, `|` or `>` scalar, or migrate it by hand.',
  },
  {
    code: 'KB211',
    severity: 'manual',
    title: 'Two rewrites would edit the same text differently',
    explanation:
      'Two migrated jobs need different text at the same place of a shared template, or two rewrites of one job meet in the same ' +
      'script text (for example a Kaniko path that would be moved, inside a command that is rewritten whole).',
    action: 'The later job (or the job whose rewrites meet) is left unchanged.',
    todo: 'Migrate that job by hand, or give it its own template.',
  },

  // --- KB3xx: flags -----------------------------------------------------------------------------------------------------
  {
    code: 'KB301',
    severity: 'manual',
    title: 'A Kaniko flag this tool does not know',
    explanation:
      'The word is not a Kaniko executor flag in any known version (or has a value that is not known before the job runs). Passing it to buildctl would fail, so the call cannot be rewritten safely.',
    action: 'The job is left unchanged.',
    todo: 'Check the spelling. If it is a real flag, find its BuildKit equivalent in ../shared/reference (or `kaniko2buildkit explain` for the mapped ones) and migrate the call by hand.',
  },
  {
    code: 'KB302',
    severity: 'info',
    title: 'Flag dropped: BuildKit already behaves so',
    explanation:
      'The flag only tunes Kaniko internals (snapshots, cleanup, logging, retries of its own), or asks for something BuildKit always does.',
    action: 'Removed from the call.',
    todo: 'Nothing.',
  },
  {
    code: 'KB303',
    severity: 'warning',
    title: 'Flag dropped: behaviour differs',
    explanation:
      'The flag has no BuildKit counterpart; the build still works, but one detail differs (cache lifetime, retries, single-layer images, ignored paths).',
    action: 'Removed from the call.',
    todo: 'Read the message: decide whether the difference matters for this image.',
  },
  {
    code: 'KB304',
    severity: 'warning',
    title: 'Dockerfile or context location decided without seeing the file',
    explanation:
      'Kaniko reads a relative `--dockerfile` from the job folder when that file exists there, else from inside the context. BuildKit needs the folder. The tool checks the repository; when it cannot (the path holds variables, or the file is not there), it picks the likelier reading.',
    action: 'The call uses the reading the message names.',
    todo: 'Check that `--local dockerfile=` and `--opt filename=` name the Dockerfile you build.',
  },
  {
    code: 'KB305',
    severity: 'warning',
    title: '--context-sub-path with a plain-path context',
    explanation:
      'Kaniko applies `--context-sub-path` only to `scheme://` contexts and ignores it for a plain path, so the sub-path never took effect.',
    action: 'Dropped, to build what Kaniko built.',
    todo: 'If the sub-folder was meant, append it to `--local context=` yourself.',
  },
  {
    code: 'KB306',
    severity: 'manual',
    title: 'A build context BuildKit cannot read here',
    explanation:
      'The context is a `tar://`, `s3://`, `gs://`, Azure blob or `git://` URL (or a GCS bucket). The rootless BuildKit image has no cloud tools, and remote contexts are not rewritten yet.',
    action: 'The job is left unchanged.',
    todo: 'Download and unpack the context in the script (busybox `wget`/`tar`), then build it with `--local context=DIR`; a git repository can be passed as `--opt context=https://host/repo.git#ref`.',
  },
  {
    code: 'KB307',
    severity: 'manual',
    title: '--dockerfile is a URL',
    explanation:
      'Kaniko downloads a Dockerfile given as an http(s) URL. buildctl reads the Dockerfile from a local folder.',
    action: 'The job is left unchanged.',
    todo: 'Download it first (`wget -O Dockerfile.remote URL`) and pass `--local dockerfile=. --opt filename=Dockerfile.remote`.',
  },
  {
    code: 'KB308',
    severity: 'warning',
    title: 'A build argument whose form is only known at run time',
    explanation:
      'Kaniko accepts `--build-arg K` (value from the environment); buildctl up to v0.32 rejects `--opt build-arg:K` without `=`. The value here is a variable, so its form is unknown.',
    action: 'Passed as `--opt build-arg:<value>`.',
    todo: 'Make sure the value always holds `K=V`.',
  },
  {
    code: 'KB309',
    severity: 'manual',
    title: 'The cache repository cannot be derived',
    explanation:
      'With `--cache=true` and no `--cache-repo`, Kaniko caches in `<repository of the first --destination>/cache`. That repository is only known at run time here.',
    action: 'The job is left unchanged.',
    todo: 'Add `--cache-repo REPO` to the Kaniko call (for example `$CI_REGISTRY_IMAGE/cache`), then run again.',
  },
  {
    code: 'KB310',
    severity: 'manual',
    title: 'A Kaniko flag not migrated automatically yet',
    explanation:
      'The flag has a BuildKit equivalent that needs more than a flag swap (a buildkitd.toml registry entry, output attributes, a metadata file), which this version does not generate.',
    action: 'The job is left unchanged.',
    todo: 'Follow the message: it names the BuildKit equivalent to write by hand.',
  },
  {
    code: 'KB311',
    severity: 'manual',
    title: 'A Kaniko behaviour BuildKit does not have',
    explanation:
      'The flag asks for something with no BuildKit counterpart (no fallback to the original registry, bundled credential helpers, ignoring immutable-tag errors, a dry run).',
    action: 'The job is left unchanged.',
    todo: 'Decide what the job should do without it, then migrate by hand.',
  },
  {
    code: 'KB312',
    severity: 'warning',
    title: 'No destination and no --no-push',
    explanation: 'Kaniko refuses to run without `--destination` unless `--no-push` is set, so this job failed before.',
    action: 'The migrated call only builds (no `--output`).',
    todo: 'Add the image name to push, or accept a build-only job.',
  },
  {
    code: 'KB313',
    severity: 'warning',
    title: 'A Unicode look-alike in the command line',
    explanation:
      'A no-break, ideographic or other Unicode space, or a typographic dash, stands where an ASCII space or hyphen was meant. The shell does not split on it, so Kaniko received one odd word and rejected it.',
    action:
      'Read as the evident intent (the flag and its value) and migrated; the character is gone from the new call.',
    todo: 'Check the flag is what you meant, and look for the same slip elsewhere in the file.',
  },

  {
    code: 'KB314',
    severity: 'warning',
    title: 'Cache repository derived when the job runs',
    explanation:
      'With `--cache=true` and no `--cache-repo`, Kaniko caches in `<repository of the first --destination>/cache`. The destination is only known at run time here, so the migrated call strips its tag in the shell (`sed`) and appends `/cache`.',
    action: 'Migrated with `--import-cache`/`--export-cache` refs computed in the job.',
    todo: 'Prefer a fixed cache repository: add `--cache-repo` to the original or edit the refs.',
  },
  {
    code: 'KB315',
    severity: 'info',
    title: 'Platform: BuildKit emulates, Kaniko did not',
    explanation:
      'Kaniko `--custom-platform` only picked the base image for that platform; RUN steps ran natively. BuildKit builds for `--opt platform=` and runs RUN steps of another architecture under its bundled QEMU emulators.',
    action: 'Mapped to `--opt platform=…`.',
    todo: 'Expect slower RUN steps for a foreign architecture. Emulation needs the runner to allow it (binfmt is bundled in the image).',
  },
  {
    code: 'KB316',
    severity: 'warning',
    title: 'Reproducible builds: same idea, other digests',
    explanation:
      'Kaniko `--reproducible` zeroes every layer timestamp (base layers too) and sets created to 0001-01-01. BuildKit uses SOURCE_DATE_EPOCH=0 with rewrite-timestamp=true: only the new layers are rewritten, and created is the Unix epoch.',
    action: 'Mapped to `--opt build-arg:SOURCE_DATE_EPOCH=0` and `rewrite-timestamp=true` on the output.',
    todo: 'Builds stay reproducible, but digests differ from the Kaniko ones: update anything pinned to old digests.',
  },
  {
    code: 'KB317',
    severity: 'warning',
    title: 'TLS verification skipped for pushes only',
    explanation:
      'Kaniko `--skip-tls-verify` skipped verification for every registry call, base-image pulls included. BuildKit takes `registry.insecure=true` for the push and the cache, and per registry host (buildkitd.toml) for pulls.',
    action: 'Mapped to `registry.insecure=true` on the output and cache.',
    todo: 'If the Dockerfile pulls from a registry with a self-signed certificate, add `--skip-tls-verify-registry HOST` for it and run again (it becomes `[registry."HOST"] insecure = true`).',
  },
  {
    code: 'KB319',
    severity: 'warning',
    title: 'A call Kaniko refused: cache without a repository, and no push',
    explanation:
      'Kaniko stops before building when `--cache=true` and `--no-push` are given without `--cache-repo` ("if using cache with --no-push, specify cache repo with --cache-repo"), with or without destinations: it does not derive a cache repository from images it will not push. The original job failed at that call (or was allowed to fail). The osscontainertools fork accepts it with `--no-push-cache`; that call is mapped like any other.',
    action:
      "Migrated as the build it evidently meant: no registry cache (BuildKit still caches in the daemon for the job's life), nothing pushed. The job no longer fails there.",
    todo: 'If the job was meant to use a registry cache, add `--cache-repo REPO` to the Kaniko call and run again, or add `--import-cache type=registry,ref=REPO:buildkit` to the buildctl call.',
  },
  {
    code: 'KB320',
    severity: 'info',
    title: 'A Dockerfile read from standard input',
    explanation:
      'Kaniko read `--dockerfile /dev/stdin` like a file (`echo "FROM $IMAGE" | /kaniko/executor …`, a retag). buildctl takes the Dockerfile from a folder (`--local dockerfile=DIR`).',
    action:
      'The call becomes a group that saves its standard input first: `{ mkdir -p /tmp/stdin-dockerfile && cat > /tmp/stdin-dockerfile/Dockerfile && buildctl-daemonless.sh build … --local dockerfile=/tmp/stdin-dockerfile; }`. The pipe into it is kept.',
    todo: 'Nothing, unless the job writes to /tmp/stdin-dockerfile itself.',
  },
  {
    code: 'KB318',
    severity: 'manual',
    title: 'Steps after the call cannot be placed',
    explanation:
      'Kaniko wrote digest files itself; with BuildKit the job writes them from `--metadata-file` right after the call. The call sits in a pipeline or an `&&`/`||` list, where extra lines would change what runs.',
    action: 'The job is left unchanged.',
    todo: 'Put the executor call on its own line (or in an `if`), then run again.',
  },

  // --- KB4xx: registry auth ---------------------------------------------------------------------------------------------
  {
    code: 'KB107',
    severity: 'error',
    title: 'The file changed on disk during the run',
    explanation: 'Between reading a file and writing its migration, something else changed it.',
    action: 'Not written: writing would overwrite that change.',
    todo: 'Run again.',
  },
  {
    code: 'KB402',
    severity: 'info',
    title: 'GitLab registry credentials written explicitly',
    explanation:
      'Kaniko (since v1.9.0) logs in to `$CI_REGISTRY` by itself with `$CI_REGISTRY_USER`/`$CI_REGISTRY_PASSWORD`, for pushes, the cache and base images. buildctl has no such helper and reads only `~/.docker/config.json` (or `DOCKER_AUTH_CONFIG`). A job with no registry config of its own relied on the helper.',
    action: 'Lines that write those credentials to `~/.docker/config.json` are added before the build.',
    todo: 'Nothing, unless the job pushes to other registries too: add them to the same file.',
  },
  {
    code: 'KB403',
    severity: 'manual',
    title: 'Credential helpers the BuildKit image does not have',
    explanation:
      'The registry config names `credHelpers`/`credsStore` (ecr-login, gcr, acr-env). The Kaniko image bundles those helpers; `moby/buildkit:rootless` has none.',
    action: 'The job is left unchanged.',
    todo: 'Fetch a token in an earlier job or step (for ECR: `aws ecr get-login-password`) and write it under "auths" in ~/.docker/config.json, or use a custom image with the helper.',
  },
  {
    code: 'KB404',
    severity: 'manual',
    title: 'The script uses another path of the Kaniko image',
    explanation:
      'Besides the executor and /kaniko/.docker, the script uses a file of the Kaniko image (`/kaniko/ssl/certs/…` for custom CAs, `/kaniko/warmer`, `/busybox/…`). The BuildKit image has none of them, and `/` is not writable there (the job runs as uid 1000).',
    action: 'The job is left unchanged.',
    todo: 'Custom CA: give BuildKit the certificate per registry in a buildkitd.toml (`[registry."host"] ca=["/path/ca.crt"]`, passed with `--config` in BUILDKITD_FLAGS) or append it to a copy of the bundle and export SSL_CERT_FILE. `/busybox/sh` becomes `sh`. The warmer has no BuildKit counterpart: drop it.',
  },
  {
    code: 'KB405',
    severity: 'warning',
    title: 'DOCKER_AUTH_CONFIG would shadow the registry config',
    explanation:
      "buildctl from BuildKit v0.24 reads the DOCKER_AUTH_CONFIG variable before ~/.docker/config.json and ignores the file when it is set. GitLab projects often set it for the runner's own image pulls. Kaniko (Google) never read it, so its pushes used the config file.",
    action:
      '`unset DOCKER_AUTH_CONFIG` is added before the build, so buildctl reads ~/.docker/config.json as Kaniko did.',
    todo: 'If the build needs the DOCKER_AUTH_CONFIG credentials too (private base images), merge them into the config file the job writes.',
  },
  {
    code: 'KB406',
    severity: 'info',
    title: 'A /busybox/ tool path',
    explanation:
      'The Kaniko debug image keeps busybox under /busybox. The BuildKit image is Alpine: the same applets are in PATH.',
    action: 'The path is replaced by the applet name (`/busybox/sh` → `sh`).',
    todo: 'Nothing.',
  },
  {
    code: 'KB210',
    severity: 'manual',
    title: 'An executor call inside a string',
    explanation:
      'The executor is called from a string another command runs (`sh -c "…"`, `eval`, a generated script). The tool rewrites only calls the job\'s shell runs directly.',
    action: 'The job is left unchanged.',
    todo: 'Call the executor directly in the script and run again, or rewrite the string by hand (`kaniko2buildkit explain KB301` lists the mappings).',
  },
  {
    code: 'KB407',
    severity: 'info',
    title: 'A custom CA moved out of /kaniko/ssl/certs',
    explanation:
      'The Kaniko image sets SSL_CERT_DIR=/kaniko/ssl/certs and jobs append their CA there. The BuildKit image has no /kaniko and runs as uid 1000. Go programs (buildctl, buildkitd) read every file in SSL_CERT_DIR on top of the system bundle.',
    action:
      'The path becomes ~/.ssl/certs; `mkdir -p ~/.ssl/certs` and `export SSL_CERT_DIR="$HOME/.ssl/certs"` are added before the first use.',
    todo: 'If only one registry needs the CA, a buildkitd.toml `ca` entry is narrower: `--registry-certificate HOST=/path/ca.crt` in the Kaniko call before migrating does that.',
  },
];
