/**
 * KB9xx, `runner-config`: what rootless BuildKit needs of a GitLab Runner configuration (config.toml, or the
 * gitlab-runner Helm chart's values.yaml): the AppArmor pod annotation of a Kubernetes runner, the security_opt of a
 * Docker runner.
 */
import type { CodeTable } from '../entry.js';

export const RUNNER_CONFIG_CODES = {
  KB901: {
    severity: 'manual',
    title: 'The AppArmor annotation is already set to another value: left unchanged',
    explanation:
      'The runner already sets `"container.apparmor.security.beta.kubernetes.io/build"` under `[runners.kubernetes.pod_annotations]`, ' +
      'but not to `unconfined`. Rootless BuildKit needs `unconfined` (or a custom profile that allows its mount syscalls).',
    action: 'runner-config does not change an existing value; it reports it and exits 1.',
    todo: 'Decide whether the profile named there allows rootlesskit\'s mounts; if not, set the value to "unconfined" by hand.',
  },
  KB902: {
    severity: 'error',
    title: 'Invalid TOML in the runner configuration',
    explanation:
      'The runner config.toml (or the TOML held in a Helm values.yaml `runners.config`) does not parse, so it cannot be edited safely.',
    action: 'runner-config stops with line:column and writes nothing (exit 2).',
    todo: 'Fix the TOML at the reported position. In a Helm values.yaml, Helm template expressions outside TOML strings cannot be parsed either.',
  },
  KB903: {
    severity: 'info',
    title: 'No Docker or Kubernetes runner in this configuration',
    explanation:
      'Rootless BuildKit runs in a Linux container: runner-config sets up runners whose executor is `docker`, `docker+machine`, ' +
      '`docker-autoscaler` (`[runners.docker]`) or `kubernetes` (the AppArmor pod annotation). No `[[runners]]` entry here has ' +
      'one (shell, SSH, VirtualBox, custom and Windows executors have nothing to set).',
    action: 'runner-config changes nothing and exits 0, saying so.',
    todo: 'Run it on the configuration of the runners that take the BuildKit jobs (their tags), or check that file is the right one.',
  },
  KB904: {
    severity: 'error',
    title: 'Helm values.yaml without a literal block `runners.config`',
    explanation:
      "runner-config edits the runner TOML held in the gitlab-runner chart's `runners.config`, and only when it is a literal block " +
      'scalar (`config: |`), so every line of the TOML is a line of the file. A missing key, a quoted or folded string, or an alias ' +
      'cannot be edited line by line.',
    action: 'runner-config stops and writes nothing (exit 2).',
    todo: 'Write `runners.config` as a literal block (`config: |`) or add the annotation by hand (see KB801).',
  },
  KB905: {
    severity: 'manual',
    title: 'The runner cannot be changed surgically',
    explanation:
      "The runner's `kubernetes`, `pod_annotations`, `docker` or `security_opt` is written in a form that a line insertion " +
      'cannot extend (for example an inline table `kubernetes = { … }`, or a `security_opt` array spanning several lines), or the ' +
      'result did not verify (TOML re-parsed with exactly the one change).',
    action: 'runner-config leaves this runner unchanged and exits 1.',
    todo:
      'Add it by hand: `"container.apparmor.security.beta.kubernetes.io/build" = "unconfined"` to a Kubernetes runner\'s pod ' +
      'annotations, `"seccomp:unconfined", "apparmor:unconfined"` to a Docker runner\'s security_opt.',
  },
  KB906: {
    severity: 'error',
    title: 'Invalid YAML in the Helm values file',
    explanation: 'The values.yaml does not parse, so it cannot be edited safely.',
    action: 'runner-config stops with line:column and writes nothing (exit 2).',
    todo: 'Fix the YAML at the reported position.',
  },
  KB907: {
    severity: 'manual',
    title: "The Docker runner's security_opt already names another seccomp or AppArmor profile: left unchanged",
    explanation:
      "Rootless BuildKit needs the unshare and mount syscalls that Docker's default seccomp and AppArmor profiles refuse (KB808), " +
      'so the runner needs `security_opt = ["seccomp:unconfined", "apparmor:unconfined"]`. This runner sets a profile of its ' +
      'own (`seccomp=/path/profile.json`, `apparmor:my-profile`); a second entry for the same option would conflict with it.',
    action: 'runner-config does not change an existing value; it reports it and exits 1.',
    todo: 'Decide whether that profile allows what rootlesskit does; if not, replace it with "seccomp:unconfined" / "apparmor:unconfined".',
  },
  KB908: {
    severity: 'manual',
    title: "The Docker runner's security_opt sets no-new-privileges: newuidmap cannot work",
    explanation:
      '`no-new-privileges` stops a process from gaining privileges through setuid bits or file capabilities; newuidmap needs ' +
      'them to write the user namespace map rootless BuildKit runs in (KB817: `newuidmap: Could not set caps`).',
    action: 'runner-config does not remove it (it only adds); it reports it and exits 1.',
    todo: 'Remove "no-new-privileges" from security_opt for the runners that take BuildKit jobs.',
  },
} satisfies CodeTable<'9'>;
