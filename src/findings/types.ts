/** A finding is one thing a person should know about a migration: stable code, severity, where. */
export type Severity = 'info' | 'warning' | 'manual' | 'error';

export interface Finding {
  /** Stable code, documented in the registry (`kaniko2buildkit explain CODE`). */
  code: string;
  severity: Severity;
  /** File path as the user named it (relative to the repository root when one is known). */
  file: string;
  /** 1-based line and column in `file`; 0 when the finding concerns the whole file. */
  line: number;
  column?: number;
  job?: string;
  message: string;
}

/** One entry of the code registry: everything `explain` prints. */
export interface CodeDoc {
  code: string;
  severity: Severity;
  title: string;
  /** What differs between Kaniko and BuildKit here, and why. */
  explanation: string;
  /** What the tool does when it meets this. */
  action: string;
  /** What a person should check or do. */
  todo: string;
}
