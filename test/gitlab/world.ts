/**
 * The test group: 30 projects of `platform` (subgroups `backend`, `frontend`, `infra/deep`) and one shared in from
 * `other`, with what a run must make of them.
 */
import { buildkitJob, INVALID_YAML, kanikoJob, plainJob, UNMAPPED } from '../../workloads/repos.js';
import { MockGitLab } from './server.js';

export const TOKEN = 'glpat-T0k3nN3v3rPr1nt3d-9f8e7d6c5b4a';
export const GROUP = 'platform';

const NAMESPACES = ['platform', 'platform/backend', 'platform/frontend', 'platform/infra/deep'];
const ns = (i: number) => NAMESPACES[i % NAMESPACES.length]!;
const dockerfile = (i: number) => ({ Dockerfile: `FROM alpine:3.20\nRUN echo ${i}\n` });

export interface World {
  server: MockGitLab;
  /** Full path of the project whose pipeline file changes between the read and the commit. */
  meanwhile: string;
  invalid: string;
  kaniko: string[];
  includes: string[];
  /** Makes the next read of the busy project's pipeline file change it on `main` right after. */
  rearm: () => void;
}

export function buildWorld(): World {
  const s = new MockGitLab(TOKEN);
  s.maxPerPage = 10; // 27 listed projects: three pages
  const kaniko: string[] = [];
  const includes: string[] = [];
  // 8 with a Kaniko job in .gitlab-ci.yml
  for (let i = 0; i < 8; i++) {
    const p = `${ns(i)}/kaniko-${i}`;
    s.project(p, { '.gitlab-ci.yml': `${plainJob}\n${kanikoJob('build')}`, ...dockerfile(i) });
    kaniko.push(p);
  }
  // 5 with the Kaniko job in local includes (two levels down for some), and enough files for a paged tree
  for (let i = 0; i < 5; i++) {
    const p = `${ns(i + 1)}/include-${i}`;
    const deep = i % 2 === 0;
    const files: Record<string, string> = {
      '.gitlab-ci.yml': `include:\n  - local: ci/${deep ? 'all' : 'build'}.yml\n\n${plainJob}`,
      'ci/build.yml': kanikoJob('build-image'),
      ...dockerfile(i),
    };
    if (deep) files['ci/all.yml'] = 'include:\n  - local: /ci/build.yml\n';
    for (let k = 0; k < 12; k++) files[`src/mod${k}/index.js`] = `export const n = ${k};\n`;
    s.project(p, files);
    includes.push(p);
  }
  s.project('platform/backend/partial', {
    '.gitlab-ci.yml': `${kanikoJob('build-app')}\n${kanikoJob('build-docs', UNMAPPED)}`,
    ...dockerfile(1),
  });
  s.project('platform/frontend/manual', { '.gitlab-ci.yml': kanikoJob('build', UNMAPPED), ...dockerfile(2) });
  for (let i = 0; i < 4; i++) s.project(`${ns(i)}/buildkit-${i}`, { '.gitlab-ci.yml': buildkitJob, ...dockerfile(i) });
  for (let i = 0; i < 3; i++) s.project(`${ns(i + 2)}/plain-${i}`, { '.gitlab-ci.yml': plainJob });
  s.project('platform/docs', { 'README.md': '# docs\n' });
  s.project('platform/infra/empty', {}, { empty: true });
  const invalid = 'platform/backend/broken-yaml';
  s.project(invalid, { '.gitlab-ci.yml': INVALID_YAML });
  const meanwhile = 'platform/frontend/busy';
  const busy = s.project(meanwhile, { '.gitlab-ci.yml': kanikoJob('build'), ...dockerfile(3) });
  let armed = false;
  let round = 0;
  s.onFileRead = (p, path, ref) => {
    if (p === busy && path === '.gitlab-ci.yml' && ref === 'main' && armed) {
      armed = false;
      s.push(busy, 'main', {
        '.gitlab-ci.yml': `# a colleague's change ${++round}, pushed while the migration ran\n${kanikoJob('build')}`,
      });
    }
  };
  s.project(
    'platform/infra/deep/custom-path',
    { 'ci/pipeline.yml': kanikoJob('build'), ...dockerfile(4) },
    { ciConfigPath: 'ci/pipeline.yml' },
  );
  kaniko.push('platform/infra/deep/custom-path');
  s.project('platform/old-kaniko', { '.gitlab-ci.yml': kanikoJob('build'), ...dockerfile(5) }, { archived: true });
  s.project(
    'platform/backend/old-service',
    { '.gitlab-ci.yml': kanikoJob('build'), ...dockerfile(6) },
    { archived: true },
  );
  s.project('other/shared-tool', { '.gitlab-ci.yml': kanikoJob('build'), ...dockerfile(7) }, { sharedWith: [GROUP] });
  if (s.projects.length !== 30) throw new Error(`the world has ${s.projects.length} projects, not 30`);
  return { server: s, meanwhile, invalid, kaniko, includes, rearm: () => void (armed = true) };
}

/** What the first run must report for the 27 listed projects. */
export const EXPECTED_GROUP = {
  scanned: 27,
  withKaniko: 17,
  migrated: 15,
  partial: 1,
  manual: 1,
  failed: 1,
  unchanged: 9,
};
