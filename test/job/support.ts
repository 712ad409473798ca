/** One-job pipelines for the job tests: a Kaniko image, a script, and the migrated file. */
import { migrateText } from '../../src/index.js';

export const IMAGE = 'image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]';
export const CALL = '/kaniko/executor --context . --dockerfile Dockerfile --destination registry.example.com/g/app:1';

/** A job `build` with the Kaniko image, `extra` keys (indented lines) and the script items. */
export function job(script: string[], extra = ''): string {
  return `build:\n  ${IMAGE}\n${extra}  script:\n${script.map((l) => `    - ${l}\n`).join('')}`;
}

/** The migrated file of a one-file pipeline. */
export async function migrate(text: string) {
  const r = await migrateText(text);
  return r.files[0]!;
}
