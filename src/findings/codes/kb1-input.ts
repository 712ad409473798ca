/**
 * KB1xx, reading files: YAML GitLab would reject, includes that cannot be followed, files over a safety limit or not
 * readable, the self-check before writing, and a file that changed on disk before the write.
 */
import type { CodeTable } from '../entry.js';

export const INPUT_CODES = {
  KB101: {
    severity: 'error',
    title: 'The file is not valid GitLab CI YAML',
    explanation:
      'The YAML parser rejected the file (syntax error, tab indentation), or its top level is not a mapping of keys to jobs.',
    action:
      'The file is reported with the line and column of the first problem and left untouched; the exit code is 2.',
    todo: "Fix the YAML (GitLab would reject it too: check it with the pipeline editor's validation), then run again.",
  },
  KB102: {
    severity: 'warning',
    title: 'An included local file is missing',
    explanation:
      'An `include: local` (or a bare path) names a file that is not in the repository. Its jobs could not be read.',
    action:
      'Everything else is migrated; jobs that extend templates from the missing file are migrated only when what they need is visible.',
    todo: 'Check the path. If the file is generated or comes from elsewhere, migrate it separately.',
  },
  KB103: {
    severity: 'info',
    title: 'An include that is not a file of this repository',
    explanation:
      '`include: project`, `remote`, `template` and `component` entries point outside the files at hand. (Local wildcard paths are expanded: see KB111 and KB112.)',
    action: 'Not followed. Jobs defined there are not migrated from here.',
    todo: 'Migrate the included project or template in its own repository (see `kaniko2buildkit migrate --recursive`).',
  },
  KB104: {
    severity: 'error',
    title: 'An include points outside the repository',
    explanation:
      'A local include path climbs out of the repository (`../`), or a symbolic link leads outside it. GitLab would not read it either.',
    action: 'The path is not read.',
    todo: 'Fix the include path.',
  },
  KB105: {
    severity: 'error',
    title: 'The self-check failed: nothing written',
    explanation:
      'Before writing, the tool re-reads its own result: the YAML must parse, text outside the edits must be unchanged, every migrated job must hold exactly the planned buildctl call, jobs that were not migrated must be unchanged as data, and a second run must change nothing.',
    action: "The job (or the whole file, when the failure is not one job's) is left as it was.",
    todo: 'Please report it with the file: it is a bug in the tool. Migrate that job by hand meanwhile.',
  },
  KB106: {
    severity: 'error',
    title: 'A file cannot be read',
    explanation: 'The path does not exist, is not readable, is a folder, is over the size limit, or is not UTF-8 text.',
    action: 'Skipped; other files and repositories are still processed. Exit code 2.',
    todo: 'Check the path and its permissions.',
  },
  KB107: {
    severity: 'error',
    title: 'The file changed on disk during the run',
    explanation: 'Between reading a file and writing its migration, something else changed it.',
    action: 'Not written: writing would overwrite that change.',
    todo: 'Run again.',
  },
  KB108: {
    severity: 'error',
    title: 'Local includes form a cycle',
    explanation:
      'A file includes itself, directly or through other local includes (`a.yml` includes `b.yml`, which includes `a.yml`). GitLab rejects such a pipeline ("Maximum of 150 nested includes are allowed").',
    action:
      'The include that closes the cycle is not followed again; the files read are migrated as usual. Exit code 2.',
    todo: 'Remove one of the includes of the cycle (the message lists them in order), then run again.',
  },
  KB109: {
    severity: 'error',
    title: 'The file is beyond a safety limit',
    explanation:
      'The file nests mappings and sequences more than 200 levels deep (GitLab stops at 100 by default), or its YAML aliases (`*x`, `<<: *x`) or `!reference` tags expand it to more than a million values or 100,000 script items: an "alias bomb" (billion laughs) that would make every reader of the file, GitLab included, run out of time or memory.',
    action:
      'The file is not read (nothing of it is migrated or written); other files and repositories are still processed. Exit code 2.',
    todo: 'If the file is yours, flatten the nesting or the aliases (GitLab would reject it too). If it is not, do not run it.',
  },
  KB110: {
    severity: 'warning',
    title: 'A key is given twice in one mapping',
    explanation:
      "The same key appears twice in one mapping (`script:` twice in a job, a job name twice in a file). YAML forbids it, but GitLab reads pipeline files with Ruby's Psych, which keeps the last value and drops the earlier one without a word (https://github.com/ruby/psych/issues/79); gitlab-ci-local does the same and warns.",
    action:
      'The file is read as GitLab reads it: the last value takes effect, and that is the one migrated and edited. The earlier value is left as it is.',
    todo: 'Remove the earlier key (the message names both lines): it has no effect, and a reader of the file may take it for the real one.',
  },
  KB111: {
    severity: 'info',
    title: 'A local include wildcard matches no file',
    explanation:
      'An `include: local` path with `*` or `**` matches no file of the repository. GitLab includes nothing for it either (no error).',
    action: 'Nothing is included for it; everything else is migrated as usual.',
    todo: 'Check the path if files were meant to match it: `*` stays within one folder, `**` crosses folders, and `?` or `[` are plain characters to GitLab.',
  },
  KB112: {
    severity: 'warning',
    title: 'A local include wildcard cannot be expanded here',
    explanation:
      'An `include: local` path holds a wildcard, and the files of the repository cannot be listed through the source this run reads from (GitLab would include every file it matches).',
    action: 'The include is not followed: Kaniko jobs in the files it matches are not migrated from here.',
    todo: 'Run on a checkout of the repository (`kaniko2buildkit migrate DIR`), which lists its files, or migrate the matched files one by one.',
  },
  KB113: {
    severity: 'error',
    title: 'Jobs extend each other in a cycle',
    explanation:
      'A job or template `extends` itself, directly or through others (`.a` extends `.b`, which extends `.a`). GitLab rejects such a pipeline ("circular dependency detected in `extends`"), so no job of it runs as written.',
    action: 'Nothing of the project is migrated or written; the message lists the cycle in order. Exit code 2.',
    todo: 'Remove one `extends` of the cycle, then run again.',
  },
  KB114: {
    severity: 'warning',
    title: 'An interrupted write was settled',
    explanation:
      'An earlier run was stopped while it wrote this repository (kill -9, a crash, a power cut), and left its journal (`.kaniko2buildkit-journal.json` in the repository root) with the temporary files and backups it names (`.<name>.k2b-tmp-…`, `.<name>.k2b-orig-…`).',
    action:
      'Before the files are read, the write is settled from the journal: cut short before the first rename (while staging), the temporary files are removed and every file is as it was; during the renames, they are completed (every temporary file was checked on disk before the first rename), so every file of the set is migrated; while a failed write was being undone, the undoing is finished and every file is as it was. Then the backups and the journal are removed: every file of the repository is either as it was or migrated, with the others, and no file of the run is left behind. A journal this tool did not write, or one of a run that is still going, is left as it is.',
    todo: 'Nothing, unless the message says a file could not be settled (it was replaced since): then check that file and run again.',
  },
  KB115: {
    severity: 'error',
    title: 'Not written: the repository has an error',
    explanation:
      "A repository is written all or nothing: a job's edits may span files (a template in an include, its job in another), and a pipeline with an error (an include outside the repository, an include or `extends` cycle, a file that cannot be read, a job the self-check refused) is not one to rewrite in part.",
    action: 'No file of the repository is written; each changed file names the finding that kept it as it was.',
    todo: 'Fix the error the message names (or report it, for KB105), then run again.',
  },
  KB116: {
    severity: 'error',
    title: 'A repository took longer than the time limit',
    explanation:
      'In a run over many repositories (`migrate --recursive`, `gitlab`) each repository is migrated in a worker of its own under a time limit (`--time-limit`, 300 s by default), so that one repository with a pathological pipeline cannot stall the others. This one did not finish in time.',
    action: 'The repository is not migrated and nothing of it is written; the other repositories go on. Exit code 2.',
    todo: 'Migrate that repository on its own (`kaniko2buildkit migrate DIR`, which has no time limit) or with a longer `--time-limit`, and report the pipeline shape if it is ordinary.',
  },
  KB117: {
    severity: 'error',
    title: 'Jobs extend each other more than ten levels deep',
    explanation:
      'A job has more than 10 `extends` ancestors along one chain (`a` extends `b`, which extends `c`, …). GitLab rejects such a pipeline ("nesting too deep in `extends`": at most 10 ancestors, 11 levels with the job).',
    action:
      'Nothing of the project is migrated or written; the message names the deepest job and its chain. Exit code 2.',
    todo: 'Flatten the chain (merge templates, or use `!reference` for the parts shared), then run again.',
  },
} satisfies CodeTable<'1'>;
