export { diagnose, type Diagnosis } from './diagnose.js';
export { KNOWN_FAILURES, type KnownFailure, type LogContext } from './known-failures.js';
export { splitLog, cleanLine, type LogLine } from './log.js';
export { errorLines, hintFor, type ErrorLine } from './errors.js';
