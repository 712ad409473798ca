/**
 * KB2xx, jobs: Kaniko images and the images that replace them, templates shared with jobs that are not migrated,
 * executor calls the tool cannot see or reach (in a script file, in a string, in a wrapper) and executor flags held
 * in variables. Messages the job recipe (`src/job/recipe.ts`) and its two hosts write are here.
 */
import type { CodeTable } from '../entry.js';

export const JOB_CODES = {
  KB202: {
    severity: 'manual',
    title: 'A template shared with a job that is not migrated',
    explanation:
      'The image or script of this job lives in a template or YAML anchor that another job also uses, and that other job does not build with Kaniko (or is itself left for a person). Changing the shared node would change the other job: ' +
      'also through `extends`, which merges an `image:` mapping key by key (a job whose own image mapping sets both `name` and `entrypoint` is not affected). ' +
      "The BUILDKITD_FLAGS variable alone does not stop a migration: when the template is shared, it goes into the Kaniko job's own mapping.",
    action: 'Both jobs are left unchanged.',
    todo: 'Split the template (one for the Kaniko build, one for the rest), or move the image/script into the jobs, then run again.',
  },
  KB203: {
    severity: 'manual',
    title: 'A Kaniko image with no executor call in the pipeline',
    explanation:
      'The job runs in a Kaniko image, but its script does not call `/kaniko/executor` itself: it runs a script file that may, or uses the image for something else (crane-like tasks, the warmer).',
    action: 'The job is left unchanged: changing its image without its executor call would break it.',
    todo: 'Migrate the script file by hand: replace the executor call with `buildctl-daemonless.sh build …` (run `kaniko2buildkit explain KB301` for the flag mapping), switch the image to `moby/buildkit:rootless` with `entrypoint: [""]`, and set `BUILDKITD_FLAGS: --oci-worker-no-process-sandbox`.',
    messages: {
      /** The job runs in a Kaniko image and no executor call is in the job's script (YAML: `in: 'the pipeline file'`). */
      noExecutorCall: (p: {
        in: 'the pipeline file' | 'this job object';
        /** The script file the job runs (its word as written), which may call the executor. */
        runs?: string;
        /** A part of the script the tool cannot read (TypeScript generators). */
        unreadable?: string;
        migrate: 'that script' | 'the image and script';
      }) =>
        `uses a Kaniko image but calls no executor in ${p.in}${
          p.runs !== undefined
            ? ` (the script runs ${p.runs}, which may call it)`
            : p.unreadable !== undefined
              ? ` (part of the script is ${p.unreadable}, which this tool cannot read; calls written elsewhere are migrated there, see KB501)`
              : ''
        }; migrate ${p.migrate} by hand`,
    },
  },
  KB204: {
    severity: 'manual',
    title: 'Executor arguments known only when the job runs',
    explanation:
      'A word of the executor call is an unquoted variable or command substitution (`$KANIKO_ARGS`, `${DESTS}`, `$(…)`) that expands to several arguments at run time, and what it holds cannot be rewritten for buildctl: a command substitution or loop makes them, another command reads the variable too, its values mix flags that become different parts of the buildctl call (destinations with build args), or a value holds a flag that only works inside the call (`--cache`). ' +
      'Variables whose every value fits one place of the buildctl call are rewritten instead (KB207, KB213).',
    action: 'The job is left unchanged.',
    todo: 'Write those flags out in the call (or as buildctl flags: `--destination X` becomes a name in `--output type=image,name=X,push=true`, `--build-arg K=V` becomes `--opt build-arg:K=V`), then run again.',
  },
  KB205: {
    severity: 'warning',
    title: 'A custom Kaniko image replaced',
    explanation:
      "The job runs the executor from an image that is not a stock Kaniko image (a team's own rebuild, a mirror under another name, an image built by an earlier job). The BuildKit image replaces it.",
    action: 'Migrated; the image becomes moby/buildkit:rootless.',
    todo: 'If that image carried other tools the script uses (curl, jq, git…), install them another way or build a BuildKit-based image with them.',
    messages: {
      notStock: (ref: string | undefined) =>
        `the image ${ref} is not a stock Kaniko image but the job calls the executor from it, so it is a Kaniko build image; replaced by BuildKit. If it also carried tools the script uses, add them another way`,
    },
  },
  KB206: {
    severity: 'manual',
    title: 'The job image cannot be changed from here',
    explanation:
      'The job calls the Kaniko executor, but its image is not a literal Kaniko image this tool can edit: it comes from a variable defined elsewhere, a component input, the runner default, or a template (`extends`) defined in a file this run did not read.',
    action: 'The job is left unchanged.',
    todo: 'Set the image to `moby/buildkit:rootless` (or a pinned `vX.Y.Z-rootless`) with `entrypoint: [""]` where it is defined, then run again.',
    messages: {
      /** `where` says what the image is; `entrypoint` is written as the host writes a list (YAML `[""]`, TypeScript `['']`). */
      imageNotEditable: (where: string, entrypoint: '[""]' | "['']") =>
        `calls the Kaniko executor but its image is ${where}; set the image to moby/buildkit:rootless with entrypoint ${entrypoint} by hand, then run again`,
      /** The job has no image of its own and extends templates that no file read defines (`names`: `.kaniko`, …). */
      templateNotRead: (names: string[]) =>
        `calls the Kaniko executor and has no image of its own; it extends ${names.join(', ')}, defined in a file this run did not read, which may set the image: migrate the whole repository (or the file that includes both) and it is read`,
      componentInput: (ref: string) =>
        `the image comes from a component input (${ref}); change the input default by hand`,
    },
  },
  KB207: {
    severity: 'info',
    title: 'Executor flags held in a variable, rewritten',
    explanation:
      'The executor call takes flags from a variable defined in the pipeline file (`$KANIKO_ARGS`). Every value of the variable holds flags that fit one place of the buildctl call (build args, labels, target, platform, secrets; or only destinations; or only `--no-push`), and no other command reads it.',
    action:
      "The variable's value is rewritten: to buildctl arguments (`--opt build-arg:K=V`, …) that the call passes through; to a comma-separated list of image names read into `--output name=`; or to `false` read as `push=${VAR:-true}`.",
    todo: 'If the variable is also set in CI/CD settings or by a trigger, use buildctl arguments there too.',
  },
  KB208: {
    severity: 'warning',
    title: 'The Kaniko image came through a mirror',
    explanation:
      "The job pulled Kaniko through a registry mirror (a path prefix before the Kaniko repository). The BuildKit image is written as Docker Hub's moby/buildkit, which that network may not reach. GitLab's dependency proxy prefix is kept, since it serves Docker Hub.",
    action: 'Migrated with moby/buildkit from Docker Hub.',
    todo: 'Mirror moby/buildkit where Kaniko was mirrored and run again with `--buildkit-image MIRROR/moby/buildkit:TAG`, or edit the image.',
  },
  KB209: {
    severity: 'manual',
    title: 'A script item that cannot be edited in place',
    explanation:
      'The script item holding the call is written in a YAML form the editor does not rewrite in place (for example a block scalar with an explicit indentation indicator).',
    action: 'The job is left unchanged.',
    todo: 'Rewrite the item as a plain, `|` or `>` scalar, or migrate it by hand.',
    messages: {
      yamlForm: () => 'this script item cannot be edited in place (its YAML form is not supported); migrate it by hand',
      escapeSequence: (handBy: 'the job' | 'the call') =>
        `this script item uses an escape sequence this tool does not rewrite in place; migrate ${handBy} by hand`,
    },
  },
  KB210: {
    severity: 'manual',
    title: 'An executor call inside a string',
    explanation:
      'The executor is called from a string another command runs (`sh -c "…"`, `eval`, a generated script, a command substitution other than `$(/kaniko/executor version)`). The tool rewrites only calls the job\'s shell runs directly; a log line that only prints the executor\'s name is not a call (KB219).',
    action: 'The job is left unchanged.',
    todo: 'Call the executor directly in the script and run again, or rewrite the string by hand (`kaniko2buildkit explain KB301` lists the mappings).',
  },
  KB211: {
    severity: 'manual',
    title: 'Two rewrites would edit the same text differently',
    explanation:
      'Two migrated jobs need different text at the same place of a shared template, or two rewrites of one job meet in the same ' +
      'script text (for example a Kaniko path that would be moved, inside a command that is rewritten whole).',
    action: 'The later job (or the job whose rewrites meet) is left unchanged.',
    todo: 'Migrate that job by hand, or give it its own template.',
    messages: {
      /** Two rewrites of one job meet (YAML job recipe: `cause` 'a Kaniko path inside a rewritten command'). */
      overlap: (p: { of: 'this script item' | 'this script'; cause?: string }) =>
        `two rewrites of ${p.of} overlap${p.cause !== undefined ? ` (${p.cause})` : ''}; migrate it by hand`,
      /** A job's edits meet another job's (YAML: `job`, `lines`; TypeScript generators: `job object`, `code`). */
      otherJob: (p: { other: 'job' | 'job object'; same: 'lines' | 'code'; cause: string }) =>
        `its edits overlap another ${p.other}'s edits of the same ${p.same} (${p.cause}); migrate it by hand`,
    },
  },
  KB212: {
    severity: 'warning',
    title: 'A variable of executor arguments defined outside the pipeline file',
    explanation:
      'The executor call expands a variable (`$KANIKO_ADDITIONAL_ARGS`) that no `variables:` block and no script line of the pipeline sets. It is usually an extension point left empty, or set in CI/CD settings, a trigger or a schedule, where this tool cannot read it.',
    action:
      'Migrated: the call passes the variable to buildctl as it is. When it is empty, nothing changes; when it holds Kaniko flags, buildctl stops with "flag provided but not defined".',
    todo: 'Wherever the variable is set, write buildctl arguments instead (`--opt build-arg:K=V`, `--opt label:K=V`, `--opt target=T`; see `kaniko2buildkit explain KB204`).',
  },
  KB213: {
    severity: 'info',
    title: 'Executor flags built by the script, rewritten',
    explanation:
      'The script builds executor flags in a variable (`DESTS="$DESTS --destination=$X"`, `dry=--no-push`, `LABELS="$LABELS --label k=v"`) and the call expands it. Every assignment holds flags that fit one place of the buildctl call, and no other command reads the variable (echo/printf aside: the log then shows the new form).',
    action:
      'Each assignment is rewritten in place, conditions and order kept: destinations become a comma-separated list of image names (`DESTS="${DESTS:+$DESTS,}$X"`) read into `--output "type=image,\\"name=…${DESTS:+,$DESTS}\\",push=true"`; `--no-push` becomes `false`, read as `push=${dry:-true}`; build args, labels and target become buildctl arguments passed through.',
    todo: 'If the variable is also set outside the pipeline file (CI/CD settings), give it the new form there too.',
  },
  KB214: {
    severity: 'warning',
    title: 'Executor flags held in a variable, written into the call',
    explanation:
      "The executor call expands a variable defined in `variables:` (`$KANIKO_CACHE_ARGS: --cache=true --cache-ttl=24h`) holding flags that only work inside the call: `--cache` needs the call's destinations, and buildctl spreads it over `--import-cache` and `--export-cache`. No script sets the variable and no command other than echo/printf reads it.",
    action:
      "The call is migrated with the variable's flags (its value for that job) read where the variable stood; the buildctl call no longer reads the variable, whose definition stays as it was.",
    todo: 'To change those flags later, change the buildctl call. A job, include or CI/CD setting that overrides the variable no longer changes the build: move such overrides into the call, and delete the variable when nothing else prints it.',
  },
  KB215: {
    severity: 'info',
    title: 'Own copies instead of a shared template',
    explanation:
      "The job's image, or script items it reaches through an alias in its own list (`- *setup`), live in a template or anchor that a job which is not migrated also uses (a `crane` job on the same Kaniko image, for example). Changing them there would change that job too.",
    action:
      'The job gets its own `image:` mapping (BuildKit, `entrypoint: [""]`) and, in place of the alias item, the migrated copies of the anchored items; the template and the anchor stay as they were for the other job. Anything else shared (items inherited through `extends` or `!reference`, variables) still leaves the job for a person (KB202).',
    todo: 'Check the copies: a later change to the anchor no longer reaches this job.',
  },
  KB216: {
    severity: 'info',
    title: 'An executor wrapper the job writes, migrated with its calls',
    explanation:
      'The job writes a script around the executor with a here-document (`cat <<EOF > /kaniko/default-executor` holding `/kaniko/executor --cache … "$@"`), makes it executable, and calls it with more flags. That script goes to a Kaniko path the rootless user cannot create, and it would pass Kaniko flags to buildctl.',
    action:
      'Each call of the wrapper becomes one buildctl call with the wrapper\'s flags and the call\'s together (the wrapper\'s first, as `"$@"` put them); the lines that wrote the wrapper and made it executable are removed. Only a wrapper whose body is one executor call ending in `"$@"`, written in a `|` block, and used by no other command is migrated this way; any other executor call in a string stays for a person (KB210).',
    todo: 'If other jobs or scripts call the wrapper, give them buildctl calls too.',
  },
  KB217: {
    severity: 'info',
    title: 'Nothing in the job was changed',
    explanation:
      'A job migrates whole or not at all. When one part needs a person (a `manual` finding), the job keeps its Kaniko image and script exactly as they were, so what the migration would have done to the rest of it (flags written into the call or dropped, a login added, paths moved) was not done.',
    action:
      'The job is left unchanged. Only the findings that need a person are reported for it, and, when the migration would also have rewritten something, this one names the codes of the rewrites that were withheld.',
    todo: 'Resolve the manual findings and run again: the withheld rewrites are then made and reported under their own codes.',
    messages: {
      leftUnchanged: (withheld: readonly string[]) =>
        `nothing in this job was changed (it is left for a person, see its manual findings); the rewrites it would also get (${withheld.join(', ')}) are made and reported once it migrates`,
    },
  },
  KB218: {
    severity: 'info',
    title: 'A Kaniko image pinned through a variable',
    explanation:
      'The job names its Kaniko image through a variable whose value this file sets (`executor:${KANIKO_VERSION}` with `KANIKO_VERSION: v1.23.2-debug`), so the Kaniko image was pinned to a version. A pinned Kaniko image gets a pinned BuildKit image, as a literal one does.',
    action:
      'The image becomes the pinned BuildKit image (`moby/buildkit:vX.Y.Z-rootless`) written out; the variable is left as it is and the image no longer reads it.',
    todo: 'Delete the variable when nothing else reads it (other jobs, includes, CI/CD settings), or pin BuildKit through a variable of your own.',
    messages: {
      pinnedBy: (variable: string, value: string, image: string, stillRead: boolean) =>
        `$${variable} (${value}) pinned the Kaniko image; the BuildKit image is pinned too (${image}) and no longer reads it: ${stillRead ? 'the script still reads it, so it stays' : 'delete it if nothing outside this job reads it'}`,
    },
  },
  KB219: {
    severity: 'info',
    title: 'A log line naming the executor',
    explanation:
      'An `echo`/`printf` to the job log names the executor (`echo "/kaniko/executor --destination $DEST"`, `echo "Using $(/kaniko/executor version)"`): it is a log line, not a hidden call, and the real call next to it is migrated. The BuildKit image has no /kaniko; `buildctl --version` prints the BuildKit version.',
    action:
      'The log line now names the command that runs: `/kaniko/executor` in its text becomes `buildctl-daemonless.sh build`, and `$(/kaniko/executor version)` becomes `$(buildctl --version)`.',
    todo: 'Nothing; the flags the line prints are still the Kaniko ones where it spells them out itself.',
    messages: {
      logLine: (line: string, p: { names: boolean; version: boolean }) =>
        `\`${line}\` only prints to the log${p.names ? '; it now names buildctl-daemonless.sh build where it named the executor' : ''}${p.version ? `${p.names ? ', and' : ';'} it prints $(buildctl --version) for the version` : ''}`,
    },
  },
  KB220: {
    severity: 'info',
    title: 'A job in transition: its BuildKit twin and a compare job run beside it',
    explanation:
      '`migrate --transition` keeps the Kaniko job as it is and adds two jobs right after it, each under a comment naming kaniko2buildkit: a BuildKit twin (`<job>-buildkit`: the job as a direct migration writes it, in the same stage with the same `needs`, rules and variables) that pushes the same repositories at a verification tag (`:kaniko2buildkit-$CI_COMMIT_SHORT_SHA`, a tag nobody pulls), and a compare job (`<job>-compare`, `node:20-alpine`, `allow_failure: true`) that needs both and runs `kaniko2buildkit compare` on the two images, with its Markdown result in the job log and as the artifact `compare.md`.',
    action:
      'The Kaniko job is unchanged; the twin and the compare job are inserted after its block, nothing else changes. A second `--transition` run changes nothing.',
    todo: "Read the compare jobs' results for a while (`kaniko2buildkit explain` their codes), fix the Dockerfile where a difference matters, then cut over: `migrate --cut-over` (or a plain `migrate`) removes the Kaniko job's twin and compare job and migrates the Kaniko job itself, exactly as a direct migration does. The twin runs the job's other commands too: check that running them twice is harmless.",
    messages: {
      added: (twin: string, compare: string) =>
        `runs in transition: BuildKit twin "${twin}" pushes to the verification tag, "${compare}" compares both images`,
      running: (twin: string) => `already in transition (BuildKit twin "${twin}"); cut over with migrate --cut-over`,
    },
  },
  KB221: {
    severity: 'warning',
    title: 'No BuildKit twin for this job: migrate it directly',
    explanation:
      "A twin is the job's own block copied and migrated when the whole job is that block, else `extends: JOB` with what the migration changes in the job's effective view (image, script lists, variables). None is made for a hidden job, a job with more than one executor call, a job that pushes to a name whose repository is not written out (one variable that may hold a tag) or to names from a variable of flags, or that reads component inputs as flags (the file interpolates them once, for the Kaniko job and a twin alike), nor for pipeline generator sources (TypeScript). A half-made twin could push to a tag users pull or build something else.",
    action: 'The job is left unchanged by the transition; a plain `migrate` (or `--cut-over`) migrates it directly.',
    todo: 'Migrate this job directly after review.',
  },
  KB222: {
    severity: 'info',
    title: 'Cut over: the transition jobs are removed',
    explanation:
      'The file is in transition (a BuildKit twin and a compare job that kaniko2buildkit added beside a Kaniko job, each under its comment). A plain `migrate` or `migrate --cut-over` removes both blocks and migrates the Kaniko job, so the result is exactly what a direct migration of the file before the transition gives.',
    action:
      'The twin and the compare job are removed; the Kaniko job is migrated in place (it keeps its name, so `needs:` of other jobs keep working).',
    todo: 'Nothing; delete the verification tags (`kaniko2buildkit-*`) from the registry when you no longer need them.',
  },
  KB223: {
    severity: 'warning',
    title: 'Transition jobs left in place',
    explanation:
      'A block that kaniko2buildkit added for the transition names a Kaniko job that this run does not migrate: the job is gone, renamed, no longer builds with Kaniko, or needs a person. Removing its twin now could remove the only BuildKit build of it.',
    action: 'The twin and the compare job are left as they are.',
    todo: 'Remove the blocks under the `# kaniko2buildkit transition:` comments by hand when you no longer want them, or fix the Kaniko job so that it migrates, then run again.',
  },
} satisfies CodeTable<'2'>;
