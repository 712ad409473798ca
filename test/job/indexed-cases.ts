/**
 * The small pipelines where the indexes of issue 18 item 7 matter (test/job/indexed.test.ts): a variable of executor
 * flags defined in another job, in an included file, or nowhere; a template shared with a job that is not migrated;
 * one template's finding merged for several jobs; `default:` and global variables read through many files.
 */
const KANIKO_IMAGE = '  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n';
const call = (rest: string) => `  script:\n    - /kaniko/executor --context $CI_PROJECT_DIR ${rest}\n`;

export const INDEXED_CASES: Record<string, Record<string, string>> = {
  'a flags variable defined in another job': {
    '.gitlab-ci.yml':
      `other:\n  variables:\n    KANIKO_ARGS: --cache=true\n  script: [echo $KANIKO_ARGS]\n` +
      `build:\n${KANIKO_IMAGE}${call('--dockerfile Dockerfile --destination r.example/a:1 $KANIKO_ARGS')}` +
      `build-2:\n${KANIKO_IMAGE}  variables:\n    KANIKO_ARGS: --cache=true --cache-ttl=6h\n${call('--destination r.example/b:1 $KANIKO_ARGS')}`,
  },
  'a flags variable defined in an included file': {
    '.gitlab-ci.yml': `include:\n  - local: ci/vars.yml\n  - local: ci/build.yml\n`,
    'ci/vars.yml': `variables:\n  EXTRA: --build-arg=A=1 --build-arg=B=2\n  TAG: v1\n`,
    'ci/build.yml':
      `build:\n${KANIKO_IMAGE}${call('--dockerfile $CI_PROJECT_DIR/Dockerfile --destination r.example/a:$TAG $EXTRA')}` +
      `build-2:\n${KANIKO_IMAGE}  variables:\n    EXTRA: --build-arg=C=3\n${call('--destination r.example/c:1 $EXTRA')}`,
  },
  'a flags variable defined nowhere': {
    '.gitlab-ci.yml':
      `build:\n${KANIKO_IMAGE}${call('--dockerfile $CI_PROJECT_DIR/Dockerfile --destination r.example/a:1 $NOWHERE')}` +
      `build-2:\n${KANIKO_IMAGE}${call('--destination r.example/b:1 $NOWHERE')}`,
  },
  'a template shared with a job that is not migrated, and one merged finding': {
    '.gitlab-ci.yml':
      `.tpl:\n${KANIKO_IMAGE}  variables:\n    APP: x\n${call('--destination r.example/$APP:1')}` +
      `one:\n  extends: .tpl\n  variables:\n    APP: one\n` +
      `two:\n  extends: .tpl\n` +
      `three:\n  extends: .tpl\n  script: [echo no kaniko here]\n` +
      `.shared:\n${KANIKO_IMAGE}${call('--destination r.example/s:1')}` +
      `four:\n  extends: .shared\nfive:\n  extends: .shared\nsix:\n  extends: .shared\n`,
  },
  'default: and global variables across several files': {
    '.gitlab-ci.yml':
      `default:\n  image:\n    name: gcr.io/kaniko-project/executor:debug\n    entrypoint: [""]\n` +
      `variables:\n  ARGS: --cache=true\ninclude:\n  - local: ci/a.yml\n  - local: ci/b.yml\n`,
    'ci/a.yml': `variables:\n  ARGS: --cache=false\nbuild-a:\n${call('--destination r.example/a:1 $ARGS')}`,
    'ci/b.yml': `default:\n  retry: 1\nbuild-b:\n${call('--destination r.example/b:1 $ARGS')}`,
  },
};
