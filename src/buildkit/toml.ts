/**
 * buildkitd.toml from a plan's registry settings, and the shell lines that write it in the job (busybox `printf`, no heredoc,
 * so it fits any YAML scalar). Hosts and paths keep their variables: the shell expands them when the job runs.
 * Keys and meaning: BuildKit `docs/buildkitd.toml.md` (`[registry."HOST"]`: mirrors, http, insecure, ca, keypair).
 */
import { concat, join, lit, renderWord, type ShellText } from '../shell/quote.js';
import type { BuildPlan, RegistryConfig } from '../plan/build-plan.js';

/** Where the job writes the daemon config; /tmp is writable for the rootless user (uid 1000). */
export const BUILDKITD_TOML = '/tmp/buildkitd.toml';

/** TOML basic string around shell text: quotes and backslashes in literal parts escaped; variables left to the shell. */
function tomlString(text: ShellText): ShellText {
  const escaped: ShellText = text.map((s) =>
    s.kind === 'literal' ? { ...s, text: s.text.replace(/[\\"]/g, (c) => `\\${c}`) } : s,
  );
  return concat(lit('"'), escaped, lit('"'));
}

function tomlArray(items: ShellText[]): ShellText {
  // join, not concat(...items): a file can name more registries than a call may have arguments
  return concat(lit('['), join(items.map(tomlString), ', '), lit(']'));
}

export function tomlLines(registries: Iterable<RegistryConfig>): ShellText[] {
  const lines: ShellText[] = [];
  for (const r of registries) {
    lines.push(concat(lit('[registry.'), tomlString(r.host), lit(']')));
    if (r.mirrors.length) lines.push(concat(lit('  mirrors = '), tomlArray(r.mirrors)));
    if (r.http) lines.push(lit('  http = true'));
    if (r.insecure) lines.push(lit('  insecure = true'));
    if (r.ca.length) lines.push(concat(lit('  ca = '), tomlArray(r.ca)));
    for (const kp of r.keypairs) {
      lines.push(concat(lit('  [[registry.'), tomlString(r.host), lit('.keypair]]')));
      lines.push(concat(lit('    key = '), tomlString(kp.key)));
      lines.push(concat(lit('    cert = '), tomlString(kp.cert)));
    }
  }
  return lines;
}

/** Shell lines that write buildkitd.toml for the plan, or none when it needs no registry settings. */
export function tomlWriteLines(plan: BuildPlan): string[] {
  if (!plan.registries.size) return [];
  const words = tomlLines(plan.registries.values()).map(renderWord);
  return [`printf '%s\\n' ${words.join(' ')} > ${BUILDKITD_TOML}`];
}
