/**
 * KB9xx, `runner-config`: adding the AppArmor annotation rootless BuildKit needs to a GitLab Runner configuration
 * (config.toml, or the gitlab-runner Helm chart's values.yaml).
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
    title: 'No Kubernetes runner in this configuration',
    explanation:
      'The AppArmor pod annotation only matters for the Kubernetes executor; no `[[runners]]` entry has `executor = "kubernetes"` ' +
      'or a `[runners.kubernetes]` table.',
    action: 'runner-config changes nothing.',
    todo: 'For a Docker executor, see KB808 (security_opt) instead.',
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
    title: 'The annotation cannot be added surgically to this runner',
    explanation:
      "The runner's `kubernetes` or `pod_annotations` table is written in a form that a line insertion cannot extend (for example an " +
      'inline table `kubernetes = { … }`), or the result did not verify (TOML re-parsed with exactly one added key).',
    action: 'runner-config leaves this runner unchanged and exits 1.',
    todo: 'Add `"container.apparmor.security.beta.kubernetes.io/build" = "unconfined"` to this runner\'s pod annotations by hand.',
  },
  KB906: {
    severity: 'error',
    title: 'Invalid YAML in the Helm values file',
    explanation: 'The values.yaml does not parse, so it cannot be edited safely.',
    action: 'runner-config stops with line:column and writes nothing (exit 2).',
    todo: 'Fix the YAML at the reported position.',
  },
} satisfies CodeTable<'9'>;
