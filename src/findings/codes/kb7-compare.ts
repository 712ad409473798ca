/**
 * KB7xx, `compare`: the differences between a Kaniko-built image (A) and a BuildKit-built one (B) that have the shape
 * of a known behaviour. KB701–KB705 are differences a user of the image notices (they make `compare` exit 1): the
 * matchers in `src/compare/explain.ts` attach one only when the difference has exactly that shape. KB706–KB708 are the
 * expected differences every rebuild has (a failure only with `--strict`).
 *
 * Source: `../shared/reference/kaniko-to-buildkit.md` §2.10 (Kaniko's "BuildKit compatibility" feature flags, from its
 * README): by default Kaniko does COPY as the current USER, does not chmod implicit parent dirs, does not chown implicit
 * WORKDIR parents, lets ENV beat a later ARG of the same name, mkdirs VOLUME paths and propagates base-image manifest
 * annotations.
 */
import type { CodeTable } from '../entry.js';

export const COMPARE_CODES = {
  KB701: {
    severity: 'warning',
    title: 'COPY ownership: Kaniko copied as the current USER, BuildKit as root',
    explanation:
      'Kaniko runs COPY and ADD as the USER in force at that point of the Dockerfile, so the files it copies belong to that ' +
      'user; BuildKit (like docker build) copies as root:root unless the instruction has `--chown`. compare attaches this ' +
      "when only the owner of a path differs, image A's owner is the uid its config's User names (resolved through A's " +
      "/etc/passwd when it is a name), and image B's owner is root.",
    action: 'compare reports the path and its uid/gid in both images, and counts it as a difference (exit 1).',
    todo:
      'If the files should belong to the user, add `--chown=USER[:GROUP]` to the COPY/ADD that writes them; if root is ' +
      'right (the user only reads them), accept the difference.',
  },
  KB702: {
    severity: 'warning',
    title: 'Implicit parent directory: Kaniko does not chmod the parents a step creates',
    explanation:
      'A COPY (or ADD, WORKDIR) into a path whose parents do not exist creates them. Kaniko gives those implicit parents ' +
      'another mode than BuildKit does (BuildKit creates them 0755). compare attaches this when a directory differs only ' +
      'in mode and was written by the same layer as something under it, in either image.',
    action: 'compare reports the directory and its mode in both images, and counts it as a difference (exit 1).',
    todo:
      'If the mode matters, create the directory with it explicitly in an earlier step (`RUN install -d -m MODE DIR`, ' +
      'or COPY the directory itself with `--chmod`); otherwise accept the difference.',
  },
  KB703: {
    severity: 'warning',
    title: 'Implicit WORKDIR parents: Kaniko does not chown them, BuildKit does',
    explanation:
      'WORKDIR creates the directory and its missing parents. With a USER in force BuildKit gives the user every ' +
      'directory it creates; Kaniko chowns the WORKDIR itself but leaves the parents it creates to root. compare attaches ' +
      "this when a parent of the config's WorkingDir differs only in owner, root in image A and the config User's uid " +
      'in image B.',
    action: 'compare reports the directory and its owner in both images, and counts it as a difference (exit 1).',
    todo:
      'Decide who should own the parents: create them explicitly (`RUN mkdir -p … && chown …`) before the WORKDIR to get ' +
      'the same result from both builders, or accept the difference.',
  },
  KB704: {
    severity: 'warning',
    title: 'ENV and a later ARG of the same name: Kaniko lets the ENV win',
    explanation:
      'When a Dockerfile declares `ENV NAME=…` and later `ARG NAME=…`, Kaniko keeps the ENV value for the rest of the ' +
      'stage; BuildKit follows the Dockerfile reference (the later declaration wins while it is in scope). compare ' +
      "attaches this when the environment variable differs and either image's history declares an ARG of that name.",
    action: 'compare reports the variable and its value in both images, and counts it as a difference (exit 1).',
    todo:
      'Give the ARG another name than the ENV (or drop one of them) so that both builders agree on the value; then check ' +
      'what RUN steps that read it produced.',
  },
  KB705: {
    severity: 'warning',
    title: 'VOLUME path: Kaniko creates the directory in the image, BuildKit does not',
    explanation:
      'Kaniko mkdirs each VOLUME path in the image filesystem when it meets the instruction; BuildKit only records the ' +
      'volume in the config and the container runtime creates the directory when a container starts. compare attaches ' +
      "this when a directory is only in image A and is one of A's config Volumes (or a parent of one).",
    action: 'compare reports the directory, and counts it as a difference (exit 1).',
    todo:
      'Usually nothing: a container of either image has the directory at run time. If the image must hold it (its ' +
      'owner or mode matters), create it with `RUN mkdir` before the VOLUME.',
  },
  KB706: {
    severity: 'info',
    title: 'Timestamps differ (expected)',
    explanation:
      "Every build stamps the config's `created` and the mtime of the files it writes; two builders (or two builds) never " +
      'agree on them unless both build reproducibly (SOURCE_DATE_EPOCH, `--reproducible`).',
    action: 'compare lists them as expected differences: not a failure, except with `--strict`.',
    todo: 'Nothing, unless a program in the image reads mtimes.',
  },
  KB707: {
    severity: 'info',
    title: 'History and layer boundaries differ (expected)',
    explanation:
      'Kaniko and BuildKit write the history entries of the config (`created_by` texts, empty layers) in their own words, ' +
      'and cut the filesystem into layers differently (Kaniko snapshots after each step, `--single-snapshot` squashes; ' +
      'BuildKit writes one layer per step that changes files). What a container sees is the flattened filesystem, which ' +
      'compare compares path by path.',
    action: 'compare lists them as expected differences: not a failure, except with `--strict`.',
    todo: 'Nothing. Layer boundaries only matter for caching and for how much a pull downloads.',
  },
  KB708: {
    severity: 'info',
    title: 'Manifest annotations differ (expected): Kaniko propagates the base image annotations',
    explanation:
      "Kaniko copies the base image's manifest annotations into the manifest it pushes; BuildKit writes only the ones it " +
      'is asked for (`--opt annotation…` or `--output …,annotation.KEY=VALUE`). Annotations are metadata of the manifest, ' +
      'not of the container.',
    action: 'compare lists them as expected differences: not a failure, except with `--strict`.',
    todo: 'If a tool reads them (`org.opencontainers.image.base.name`), set them on the BuildKit output explicitly.',
  },
} satisfies CodeTable<'7'>;
