/**
 * KB5xx, pipeline generators written in TypeScript or JavaScript (`src/typescript/`). Everything the flag table, the
 * auth handling and the job checks report keeps its KB2xx–KB4xx code there too.
 */
import type { CodeTable } from '../entry.js';

export const GENERATOR_CODES = {
  KB501: {
    severity: 'warning',
    title: 'An executor call in a string outside a recognisable job object',
    explanation:
      'A string or template literal of a generator holds a Kaniko executor call, but it is not an item of the `script:` of a job ' +
      'object this tool can read (it is a constant, a function result, or an argument used elsewhere). The call is rewritten, but ' +
      'the image, its entrypoint and BUILDKITD_FLAGS of the job that runs it are set somewhere the tool cannot see.',
    action:
      'The executor call is replaced by its buildctl call in place (same quotes, same placeholders); nothing else is changed.',
    todo: [
      'Make sure the generated job runs in `moby/buildkit:rootless` with `entrypoint: [""]` and has',
      '`BUILDKITD_FLAGS: --oci-worker-no-process-sandbox` among its variables, and that it writes registry credentials to',
      "~/.docker/config.json when it relied on Kaniko's built-in GitLab registry login (see `kaniko2buildkit explain KB402`).",
    ].join('\n'),
  },
  KB502: {
    severity: 'manual',
    title: 'A template placeholder cannot be carried into the migrated call',
    explanation:
      'Template placeholders (`${x}`) are read as shell variables whose value is unknown. After the rewrite a placeholder would stand ' +
      'in another quoting than before (so the generated shell text would mean something else), would be evaluated a different ' +
      'number of times although it is not a plain name or property (a function call, an increment), or was changed in a way that ' +
      'cannot be written back as a placeholder.',
    action: 'The literal (and its job) is left unchanged.',
    todo: 'Move the value into a constant first (`const dir = next();` then `${dir}`), keep the placeholder unquoted or double-quoted in the shell text, or migrate the call by hand.',
  },
  KB503: {
    severity: 'manual',
    title: 'A gcix KanikoExecute job',
    explanation:
      '`new KanikoExecute({…})` from the gcix library renders a Kaniko job (its image, `/kaniko/.docker/config.json` and an ' +
      '`executor` call) only when the generator runs, so no literal in the repository holds the call. gcix has no BuildKit job class.',
    action:
      'Nothing is changed. The finding gives the exact code to write instead: a plain gcix `Job` with the BuildKit image, ' +
      'BUILDKITD_FLAGS, the registry config in ~/.docker and the buildctl call planned from the KanikoExecute settings with the same flag table.',
    todo: "Replace the `new KanikoExecute(…)` expression with the code in the message (add the imports it names), or with the project's own BuildKit job class when it has one.",
  },
  KB504: {
    severity: 'manual',
    title: 'An executor call built from pieces',
    explanation:
      'The executor call is assembled at generation time (string concatenation with `+`, an array of words joined with `.join(…)`, ' +
      'a tagged template): no single literal holds the whole call, so its flags cannot be read and rewritten in place.',
    action: 'Left unchanged.',
    todo: 'Write the call as one string or template literal (placeholders are fine), then run again; or rewrite it by hand (`kaniko2buildkit explain KB301` lists the flag mapping).',
  },
  KB505: {
    severity: 'warning',
    title: "Part of a job's script is built at generation time",
    explanation:
      'The `script:` of a migrated job object includes values the tool cannot read (a function call, a spread of something that is ' +
      'not a constant array). Whether they configure registry credentials or use paths of the Kaniko image is unknown.',
    action:
      "The readable items are migrated; no registry login is added for Kaniko's built-in GitLab helper, since the hidden part may write one.",
    todo: "Check the generated script: registry credentials must go to ~/.docker/config.json (not /kaniko/.docker), and a job that relied on Kaniko's built-in GitLab login needs the `echo … > ~/.docker/config.json` line (see `kaniko2buildkit explain KB402`).",
  },
} satisfies CodeTable<'5'>;
