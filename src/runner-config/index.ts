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
  checkAnnotated,
  deepEqual,
  parseToml,
  planToml,
  TomlSyntaxError,
  type RunnerReport,
  type RunnerStatus,
  type TomlEdit,
} from './toml-edit.js';
export { scanToml, formatKey, type TomlStatement } from './toml-scan.js';
