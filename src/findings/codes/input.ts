import type { CodeDoc } from '../types.js';

/**
 * Input errors beyond the ones in migrate.ts (KB101 invalid YAML, KB102 missing include, KB104 include outside the
 * repository, KB106 unreadable, KB107 changed on disk): files GitLab would reject, or that would make any reader hang.
 */
export const INPUT_CODES: CodeDoc[] = [
  {
    code: 'KB108',
    severity: 'error',
    title: 'Local includes form a cycle',
    explanation:
      'A file includes itself, directly or through other local includes (`a.yml` includes `b.yml`, which includes `a.yml`). GitLab rejects such a pipeline ("Maximum of 150 nested includes are allowed").',
    action:
      'The include that closes the cycle is not followed again; the files read are migrated as usual. Exit code 2.',
    todo: 'Remove one of the includes of the cycle (the message lists them in order), then run again.',
  },
  {
    code: 'KB109',
    severity: 'error',
    title: 'The file is beyond a safety limit',
    explanation:
      'The file nests mappings and sequences more than 200 levels deep (GitLab stops at 100 by default), or its YAML aliases (`*x`, `<<: *x`) or `!reference` tags expand it to more than a million values or 100,000 script items: an "alias bomb" (billion laughs) that would make every reader of the file, GitLab included, run out of time or memory.',
    action:
      'The file is not read (nothing of it is migrated or written); other files and repositories are still processed. Exit code 2.',
    todo: 'If the file is yours, flatten the nesting or the aliases (GitLab would reject it too). If it is not, do not run it.',
  },
];
