export {
  annotateRunnerConfig,
  detectKind,
  RunnerConfigError,
  type AnnotateResult,
  type RunnerConfigKind,
} from './annotate.js';
export {
  APPARMOR_ANNOTATION,
  APPARMOR_VALUE,
  checkEdited,
  DOCKER_SECURITY_OPT,
  deepEqual,
  parseToml,
  planToml,
  TomlSyntaxError,
  type RunnerChange,
  type RunnerKind,
  type RunnerReport,
  type RunnerStatus,
  type TomlEdit,
} from './toml-edit.js';
export { scanToml, formatKey, type TomlStatement } from './toml-scan.js';
