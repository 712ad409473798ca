/**
 * The one job recipe: from what a host reads of a job (host.ts) to the edits that migrate it — image, variables,
 * registry auth, other Kaniko paths and every executor call — whether the job's text lives in a YAML pipeline or in a
 * TypeScript generator. A job migrates whole or not at all: when any part needs a person, no edit is proposed and the
 * findings say why. The same job gives the same findings and the same buildctl words from either host.
 */
import { append } from '../text/append.js';
import { renderCall } from '../buildkit/render.js';
import { finding } from '../findings/finding.js';
import { messages, severityOf } from '../findings/registry.js';
import type { Code, Finding } from '../findings/types.js';
import { planCall, type FragmentHost, type PlanEnv } from '../kaniko/context.js';
import { buildkitImageFor, imageMirror, isBuildkitImage, isPinned, resolveImageVariables } from '../kaniko/images.js';
import type { ParsedScript, SimpleCommand } from '../shell/types.js';
import type { TextEdit } from '../text/edits.js';
import { overlappingEdit, type ValueEdit } from '../text/value-edit.js';
import { readCallArguments, type ArgVariable, type InputWord } from './arg-variables.js';
import {
  CLOUD_HELPER,
  cloudRegistry,
  ECR_HELPER,
  ECR_HELPER_SETUP,
  GITLAB_REGISTRY_AUTH,
  helperConfigLine,
  MKDIR_DOCKER,
  refHost,
  registryRefs,
  scanJobAuth,
  unsetDockerAuthConfig,
} from './auth.js';
import { isRefusal, type Change, type HostItem, type JobHost, type Place } from './host.js';
import { findCalls } from './job-items.js';
import { CERT_SETUP, scanKanikoPaths } from './kaniko-paths.js';
import { findWrappers } from './wrappers.js';
import type { Wrapper } from './item.js';

/** What the recipe decides for one job. */
export interface JobOutcome {
  /** The job builds with Kaniko (image or executor call). */
  kaniko: boolean;
  /** Left for a person: no edits. */
  manual: boolean;
  /** A template other jobs are migrated through (TypeScript spread objects), not a job on its own. */
  template: boolean;
  findings: Finding[];
  edits: TextEdit[];
  /** Nodes this job's edits change: other jobs reading them must migrate too. */
  touches: Set<string>;
  /** Nodes this job reads (image, script items, variables), for the sharing check. */
  reads: Set<string>;
  /** Every buildctl call the migrated job must contain, as word lists (checked after the edit). */
  expectedCalls: string[][];
  calls: number;
  /** Flags of the job's calls (for per-flag statistics). */
  flags: { flag: string; manual: boolean }[];
  /**
   * Variables of executor flags the call expands, and what the migrated call reads them as: `args` buildctl arguments
   * passed through (also for a variable nothing read defines, KB212), `names` image names, `push` false for
   * --no-push, `inline` not read any more (its value was written into the call). Whoever sets them elsewhere (CI/CD
   * settings, a project including this template) must set them in that form.
   */
  passThrough: PassThrough[];
  /** The first migrated call, as a consumer's variable fed into it needs it (its cache; see FragmentHost). */
  feedHost?: FragmentHost;
}

/**
 * A variable (or, with `input`, a CI/CD component input: `$[[ inputs.NAME ]]`) of executor flags the call expands, and
 * how the migrated call reads it (see JobOutcome.passThrough).
 */
export interface PassThrough {
  name: string;
  role: 'args' | 'names' | 'push' | 'inline';
  /** `name` is an input of the file's `spec: inputs:`, which including projects set with `include: … inputs:`. */
  input?: true;
}

export interface RecipeOptions {
  env: PlanEnv;
  buildkitImage?: string;
  /** The job's name, for its findings. */
  job?: string;
}

/**
 * A job left for a person: no edits, and only the findings that need a person; the others (what the migration would
 * do: KB214, KB302, KB205…), when there are any, give way to one KB217 that says nothing was changed and names their
 * codes. The recipe ends so; so does a job the project settles as manual later (a shared template, KB202/KB211).
 */
export function leaveUnchanged(out: JobOutcome, job?: string): JobOutcome {
  out.edits = [];
  const needPerson = (f: Finding) => f.severity === 'manual' || f.severity === 'error';
  const withheld = [...new Set(out.findings.filter((f) => !needPerson(f)).map((f) => f.code))];
  const first = out.findings.find(needPerson);
  out.findings = out.findings.filter(needPerson);
  if (first && withheld.length)
    out.findings.push(
      finding('KB217', messages('KB217').leftUnchanged(withheld), {
        file: first.file,
        line: first.line,
        column: first.column,
        ...(job !== undefined ? { job } : {}),
      }),
    );
  return out;
}

/** An outcome with nothing decided yet (a job that does not build with Kaniko, until the recipe says otherwise). */
export function undecided(reads: Set<string>): JobOutcome {
  return {
    kaniko: false,
    manual: false,
    template: false,
    findings: [],
    edits: [],
    touches: new Set(),
    reads,
    expectedCalls: [],
    calls: 0,
    flags: [],
    passThrough: [],
  };
}

type Call<I extends HostItem> = ReturnType<typeof findCalls<I>>[number];

export function migrateJob<I extends HostItem>(host: JobHost<I>, opts: RecipeOptions): JobOutcome {
  const job = new JobDraft(host, opts);
  const wrappers = findWrappers(host.items, (i) => host.linesRemovable(i));
  const calls = findCalls(host.items, wrappers);
  job.out.calls = calls.length;
  if (!job.builds(calls) || !job.migratable(calls)) return job.out;
  for (const call of calls) job.rewriteCall(call);
  const mentionsAuth = job.kanikoPaths(calls, wrappers);
  job.registryLogin(calls[0]!.item, mentionsAuth);
  return job.encode();
}

/** One job being migrated: what the recipe has decided so far, and the phases that decide the rest. */
class JobDraft<I extends HostItem> {
  readonly out: JobOutcome;
  /** The job's own variables let planning follow `$DOCKERFILE` to the path it holds. */
  private readonly env: PlanEnv;
  private readonly valueEdits = new Map<string, { item: I; edits: ValueEdit[] }>();
  /** Lines added before a place (item key and value offset), gathered until the job is encoded. */
  private readonly insertions = new Map<string, { item: I; offset: number; lines: string[] }>();
  /** Variables the calls expand, translated once per job (their assignments are edited once). */
  private readonly argVariables = new Map<string, ArgVariable<I>>();
  /** Component inputs the calls read as flags, by file and name. */
  private readonly inputs = new Map<string, ArgVariable<I>>();

  constructor(
    private readonly host: JobHost<I>,
    private readonly opts: RecipeOptions,
  ) {
    this.out = undecided(host.reads);
    this.env = { ...opts.env, variable: (v) => host.variable(v) };
  }

  private add(code: Code, at: Place, message: string): void {
    const job = this.opts.job !== undefined ? { job: this.opts.job } : {};
    const f = finding(code, at.show ? at.show(message) : message, {
      file: at.file,
      line: at.line,
      column: at.column,
      ...job,
    });
    this.out.findings.push(f);
    if (f.severity === 'manual' || f.severity === 'error') this.out.manual = true;
  }

  private apply(c: Change): void {
    append(this.out.edits, c.edits);
    for (const t of c.touches) this.out.touches.add(t);
  }

  private pushEdit(item: I, e: ValueEdit): void {
    const key = this.host.key(item);
    const entry = this.valueEdits.get(key) ?? { item, edits: [] };
    entry.edits.push(e);
    this.valueEdits.set(key, entry);
  }

  /**
   * Lines to add before `valueOffset` of the item. Every phase may add some at one place (the buildkitd.toml of a
   * mirror, the CA setup, the ECR helper, the registry login, the DOCKER_AUTH_CONFIG unset): they are gathered and
   * written as one insertion per place, in the order they were added (`flushInsertions`). Separate insertions at one
   * place would be separate edits of a template's item shared by several jobs, which the cross-job check cannot tell
   * from a clash (KB211), and their order among themselves would rest on how each host sorts edits.
   */
  private insertBefore(item: I, valueOffset: number, lines: string[]): void {
    const key = `${this.host.key(item)}\0${valueOffset}`;
    const place = this.insertions.get(key) ?? { item, offset: valueOffset, lines: [] };
    append(place.lines, lines);
    this.insertions.set(key, place);
  }

  /** One insertion per place: an item of its own before the item where the host can, else lines at the offset. */
  private flushInsertions(): void {
    for (const { item, offset, lines } of this.insertions.values()) {
      const own = offset === 0 ? this.host.insertBefore(item, lines) : undefined;
      if (own) this.apply(own);
      else this.pushEdit(item, { start: offset, end: offset, parts: [...lines, ''], join: 'hard', multiline: true });
    }
    this.insertions.clear();
  }

  private translate(variable: string): ArgVariable<I> {
    let t = this.argVariables.get(variable);
    if (!t) {
      this.argVariables.set(variable, (t = this.host.translate(variable, this.env)));
      if (t.ok) {
        this.out.passThrough.push({ name: variable, role: t.role === 'unknown' ? 'args' : t.role });
        append(this.out.edits, t.edits);
        for (const { item, edit } of t.scriptEdits) this.pushEdit(item, edit);
        for (const n of t.touches) this.out.touches.add(n);
        for (const n of t.reads) this.out.reads.add(n);
      }
    }
    return t;
  }

  /** An input the call reads as flags, translated once per job for its file (its default is edited once). */
  private translateInput(item: I, input: InputWord): ArgVariable<I> {
    const { host } = this;
    const key = `${host.inputScope?.(item) ?? ''}\0${input.name}`;
    let t = this.inputs.get(key);
    if (!t) {
      this.inputs.set(key, (t = host.translateInput!(item, input, this.env)));
      if (t.ok) {
        if (!this.out.passThrough.some((p) => p.input && p.name === input.name))
          this.out.passThrough.push({ name: input.name, role: 'args', input: true });
        append(this.out.edits, t.edits);
        for (const n of t.touches) this.out.touches.add(n);
        for (const n of t.reads) this.out.reads.add(n);
      }
    }
    return t;
  }

  /** Does the job build with Kaniko (an image or a call) and not already with BuildKit? */
  builds(calls: readonly Call<I>[]): boolean {
    const { image } = this.host;
    const imageIsKaniko = image.kind === 'kaniko' || image.kind === 'kaniko-like';
    if (!imageIsKaniko && !calls.length) return false;
    if (image.ref && isBuildkitImage(image.ref)) return false;
    this.out.kaniko = true;
    return true;
  }

  /** Can this host migrate the job at all: readable items, a call to migrate, an image it can change (KB203-KB210)? */
  migratable(calls: readonly Call<I>[]): boolean {
    const { host, out } = this;
    const { items, image } = host;
    if (host.unreadable) {
      this.add('KB209', host.unreadable, messages('KB209').escapeSequence('the job'));
      return false;
    }
    if (!calls.length) {
      if (host.template) {
        out.template = true;
        out.kaniko = false;
        return false;
      }
      const hidden = scanKanikoPaths(items, new Set()).findings.find((f) => f.code === 'KB210');
      if (hidden) {
        // Written in the file, but run from a string or a script the job writes: a call, left for a person.
        out.calls = 1;
        this.add(hidden.code, host.at(hidden.item, hidden.offset), hidden.message);
        return false;
      }
      const ext = items
        .map((i) => i.parsed.commands.find((c) => /\.sh$|^\.\//.test(c.words[0]?.value ?? '')))
        .find(Boolean);
      if (image.setAt)
        this.add(
          'KB203',
          image.setAt,
          messages('KB203').noExecutorCall({
            in: host.terms.in,
            migrate: host.terms.byHand,
            ...(ext ? { runs: ext.words[0]!.raw } : host.opaque ? { unreadable: host.opaque.text } : {}),
          }),
        );
      return false;
    }
    const refusal = image.refusal?.(calls[0]!.item, calls[0]!.command.start);
    if (refusal) {
      this.add('KB206', refusal.at, refusal.message);
      return false;
    }
    const mirror = image.ref ? imageMirror(image.ref) : undefined;
    if (mirror && !mirror.proxy && !this.opts.buildkitImage && image.nameAt) {
      this.add(
        'KB208',
        image.nameAt,
        `the Kaniko image came through a mirror (${mirror.prefix}); the BuildKit image is set to Docker Hub's moby/buildkit. Mirror it there too and pass --buildkit-image, or edit the image`,
      );
    }
    if (image.kind !== 'kaniko' && image.nameAt) this.add('KB205', image.nameAt, messages('KB205').notStock(image.ref));
    return true;
  }

  /** One executor call through the flag table, replaced by its buildctl call (and the steps it needs around it). */
  rewriteCall({ item, command, head, wrapper }: Call<I>): void {
    const { host, out } = this;
    const {
      call,
      vars,
      passthrough,
      findings: varFindings,
    } = readCallArguments(
      command,
      head,
      wrapper,
      (v) => this.translate(v),
      host.translateInput ? (input) => this.translateInput(item, input) : undefined,
    );
    const planned = planCall(call, this.env, vars);
    out.feedHost ??= planned.host;
    // loops, not push(...list): a call holds as many flags as its file gives it (a spread of 100,000 overflows)
    for (const p of passthrough) planned.plan.passthrough.push(p);
    for (const f of varFindings) planned.findings.push(f);
    // the flags a manual finding stands at, once: not every finding for every flag (70,000 flags: quadratic)
    const manualAt = new Set<number | undefined>();
    for (const f of planned.findings) if (severityOf(f.code) === 'manual') manualAt.add(f.offset);
    for (const use of call.uses) out.flags.push({ flag: use.flag.name, manual: manualAt.has(use.nameWord.start) });
    for (const p of call.problems)
      out.flags.push({ flag: p.kind === 'unknown-flag' ? p.text : `(${p.kind})`, manual: true });
    for (const f of planned.findings) this.add(f.code, host.at(item, f.offset ?? command.start), f.message);
    if (planned.manual) return;
    const rendered = renderCall(planned.plan);
    const first = command.words[head]!;
    const lastWord = command.words[command.words.length - 1]!;
    if (rendered.after.length && !isStandalone(command, item.parsed, item.script, lastWord.end)) {
      this.add(
        'KB318',
        host.at(item, first.start),
        'the migrated call needs steps right after it (digest files), but the call is part of a pipeline or && / || list; put it on its own line, then run again',
      );
      return;
    }
    out.expectedCalls.push(rendered.groups.flat());
    const inside = command.redirects.filter((r) => r.start > first.start && r.start < lastWord.end);
    const parts = rendered.groups.map((g) => g.join(' '));
    parts[0] = [...rendered.prefix, parts[0]].join(' ');
    for (const r of inside) parts.push(item.script.slice(r.start, r.end));
    parts[parts.length - 1] += rendered.suffix;
    this.pushEdit(item, {
      start: first.start,
      end: lastWord.end,
      parts,
      join: 'soft',
      multiline: host.spansLines(item, first.start, lastWord.end),
      continuation: continuationOf(item.script, first.start, lastWord.end),
    });
    if (rendered.after.length) {
      // After a call that ends its item, the steps become items of their own where the host can; else lines after it.
      const own = item.script.slice(lastWord.end).trim() === '' ? host.insertAfter(item, rendered.after) : undefined;
      if (own) this.apply(own);
      else
        this.pushEdit(item, {
          start: lastWord.end,
          end: lastWord.end,
          parts: ['', ...rendered.after],
          join: 'hard',
          multiline: true,
          leadFrom: first.start,
        });
    }
    if (rendered.before.length) this.insertBefore(item, 0, rendered.before);
  }

  /**
   * Registry config written where BuildKit reads it, and the other paths of the Kaniko image (/busybox/sh,
   * /kaniko/ssl, wrappers the calls went through). Returns whether the job deals with registry auth itself.
   */
  kanikoPaths(calls: readonly Call<I>[], wrappers: ReadonlyMap<string, Wrapper<I>>): boolean {
    const { host } = this;
    const { items } = host;
    const auth = scanJobAuth(items, (i) => i.script);
    // A path inside an executor call is an argument of the build (a `--build-arg` value): the call is rewritten whole.
    const callRanges = calls.map(({ item, command }) => ({
      item,
      start: command.start,
      end: command.words.at(-1)!.end,
    }));
    const inCall = (item: I, e: ValueEdit) =>
      callRanges.some((r) => r.item === item && e.start >= r.start && e.end <= r.end);
    const firstItem = calls[0]!.item;
    // Helpers a written config names: ecr-login is fetched pinned (KB408); for the others no checksum is pinned (KB403).
    let ecrHelper = false;
    for (const { item, scan } of auth.scans) {
      for (const e of scan.edits) if (!inCall(item, e)) this.pushEdit(item, e);
      const others = scan.credentialHelpers.filter((h) => h !== 'ecr-login');
      if (others.length) this.add('KB403', host.itemAt(item), messages('KB403').credentialHelpers(others));
      else if (scan.credentialHelpers.length && !ecrHelper) {
        ecrHelper = true;
        this.add('KB408', host.itemAt(item), messages('KB408').named(ECR_HELPER.version));
      }
    }
    if (auth.mkdirBefore) this.insertBefore(auth.mkdirBefore.item, auth.mkdirBefore.offset, [MKDIR_DOCKER]);
    let mentionsAuth = auth.mentionsAuth;
    const writes = auth.scans.some((s) => s.scan.writes);
    // Registries Kaniko's compiled-in cloud keychains logged in to (Kaniko `pkg/creds/creds.go`), from where the
    // calls push or cache: a literal, a variable the file gives, or a variable only the run knows (KB410).
    const ecrHosts = new Set<string>();
    const seen = new Set<string>();
    for (const { item, command, head, wrapper } of calls) {
      if (wrapper) continue;
      for (const ref of registryRefs(command, head)) {
        const h = refHost(ref, (v) => host.markerValue?.(item, v) ?? host.variable(v));
        if (!h || seen.has(ref)) continue;
        seen.add(ref);
        if ('unknown' in h) {
          this.add('KB410', host.at(item, command.start), messages('KB410').unknownHost(ref, h.unknown));
          continue;
        }
        const cloud = cloudRegistry(h.host);
        if (
          !cloud ||
          (ecrHelper && cloud === 'ecr') ||
          auth.scans.some((s) => s.scan.writes && s.item.script.includes(h.host))
        )
          continue;
        if (cloud === 'ecr') ecrHosts.add(h.host);
        else this.add('KB409', host.at(item, command.start), messages('KB409').cloudLogin(h.host, CLOUD_HELPER[cloud]));
      }
    }
    let configAdded = false;
    if (ecrHosts.size && (writes || host.opaque)) {
      for (const h of ecrHosts) this.add('KB409', host.itemAt(firstItem), messages('KB409').ownConfig(h));
    } else if (ecrHosts.size) {
      const lines = [...ECR_HELPER_SETUP, MKDIR_DOCKER, helperConfigLine([...ecrHosts]), unsetDockerAuthConfig(true)];
      this.insertBefore(firstItem, 0, lines);
      this.add('KB408', host.itemAt(firstItem), messages('KB408').added([...ecrHosts], ECR_HELPER.version));
      this.add('KB402', host.itemAt(firstItem), messages('KB402').builtInHelper());
      configAdded = true;
      mentionsAuth = true;
    } else if (ecrHelper) this.insertBefore(firstItem, 0, ECR_HELPER_SETUP);
    const skip = new Set([...calls.map((c) => c.command), ...[...wrappers.values()].flatMap((w) => w.commands)]);
    const paths = scanKanikoPaths(items, skip);
    // The wrappers the calls went through are no longer written.
    for (const w of new Set(calls.map((c) => c.wrapper).filter((w): w is Wrapper<I> => !!w))) {
      for (const { item, start, end } of w.removals) {
        const own = host.removeLines(item, start, end);
        if (own) this.apply(own);
        else this.pushEdit(item, { start, end, parts: [''], join: 'hard', multiline: false });
      }
    }
    for (const { item, edit } of paths.edits) this.pushEdit(item, edit);
    for (const f of paths.findings) this.add(f.code, host.at(f.item, f.offset), f.message);
    if (paths.certSetupBefore) this.insertBefore(paths.certSetupBefore.item, paths.certSetupBefore.offset, CERT_SETUP);
    for (const s of paths.setupBefore) this.insertBefore(s.item, s.offset, s.lines);
    const dockerConfig = host.dockerConfig();
    if (dockerConfig) {
      this.apply(dockerConfig);
      mentionsAuth = true;
    }
    // buildctl ≥0.24 reads DOCKER_AUTH_CONFIG (often set in CI/CD settings, read-only) before the config file;
    // Kaniko (Google) never read it. The file the job writes, or the one added for it (KB402), must win.
    const configWritten = writes || configAdded || (!mentionsAuth && !host.opaque);
    const named = host.hasVariable('DOCKER_AUTH_CONFIG') || auth.dockerAuthConfig;
    if (this.out.manual) {
      // Left for a person: no finding may describe a line that is not added.
    } else if (named && !writes && !configAdded && !mentionsAuth && !host.opaque) {
      // No config of its own: its push relied on DOCKER_AUTH_CONFIG alone (the osscontainertools fork reads it).
      this.add('KB405', host.itemAt(firstItem), messages('KB405').kept());
    } else {
      // Lines added at one place go in one insertion (a template's item is shared by several jobs): the unset goes
      // with the config lines added here (above) or by registryLogin (KB402), else on its own.
      const withLogin = configAdded || (!writes && !mentionsAuth && !host.opaque);
      if (!withLogin) this.insertBefore(firstItem, 0, [unsetDockerAuthConfig(configWritten)]);
      if (named) this.add('KB405', host.itemAt(firstItem), messages('KB405').shadows());
      else this.add('KB411', host.itemAt(firstItem), messages('KB411').unset());
    }
    return mentionsAuth;
  }

  /** The login Kaniko's built-in GitLab helper made by itself, written out (KB402), unless the job logs in itself. */
  registryLogin(firstCallItem: I, mentionsAuth: boolean): void {
    const { host, out } = this;
    if (host.opaque && !out.manual) {
      // A part of the script nobody can read may log in by itself; adding a login could hide that it does not.
      this.add(
        'KB505',
        host.opaque.at,
        `part of the script is ${host.opaque.text}, which this tool cannot read: check that it writes no registry config to /kaniko/.docker and uses no other Kaniko path${mentionsAuth ? '' : "; no registry login was added for Kaniko's built-in GitLab helper (see KB402)"}`,
      );
    } else if (!mentionsAuth && !out.manual) {
      // Kaniko's built-in GitLab helper (v1.9.0+) answered for $CI_REGISTRY on every registry call (push, cache, base
      // images); a job with no registry config of its own relied on it, so the migrated job writes those credentials.
      // DOCKER_AUTH_CONFIG is unset with it (KB411), unless the job's push relied on it alone (KB405, kept).
      const keep = out.findings.some((f) => f.code === 'KB405');
      this.insertBefore(firstCallItem, 0, [
        MKDIR_DOCKER,
        GITLAB_REGISTRY_AUTH,
        ...(keep ? [] : [unsetDockerAuthConfig(true)]),
      ]);
      this.add('KB402', host.itemAt(firstCallItem), messages('KB402').builtInHelper());
    }
  }

  /**
   * A job left for a person gets no edit, so no finding may describe a rewrite as made: the findings that need a
   * person stay; the others (what the migration would do: KB214, KB302, KB205…), when there are any, give way to
   * one KB217 that says nothing was changed and names their codes, which come back once the job migrates.
   */
  private leftUnchanged(): JobOutcome {
    return leaveUnchanged(this.out, this.opts.job);
  }

  /**
   * A Kaniko image pinned through the job's variables (`executor:${KANIKO_VERSION}`, `KANIKO_VERSION: v1.23.2-debug`)
   * is pinned: the BuildKit image is pinned as `buildkitImageFor` pins a literal pinned Kaniko image.
   */
  private pinnedThroughVariables(): { image: string; variables: { name: string; value: string }[] } | undefined {
    const { image } = this.host;
    if (!image.ref || image.kind !== 'kaniko' || isPinned(image.ref)) return undefined;
    const resolved = resolveImageVariables(image.ref, (v) => this.host.variable(v));
    if (!resolved || !isPinned(resolved.ref)) return undefined;
    return { image: buildkitImageFor(resolved.ref), variables: resolved.variables };
  }

  /** Every item's value edits in its own form, then the image and BUILDKITD_FLAGS; nothing when anything refuses. */
  encode(): JobOutcome {
    const { host, out } = this;
    const stop = (code: Code, at: Place, message: string) => {
      this.add(code, at, message);
      return this.leftUnchanged();
    };
    if (out.manual) return this.leftUnchanged();
    this.flushInsertions();
    for (const { item, edits } of this.valueEdits.values()) {
      const clash = overlappingEdit(edits);
      if (clash)
        return stop(
          'KB211',
          host.at(item, clash.start),
          messages('KB211').overlap({ of: 'this script item', cause: 'a Kaniko path inside a rewritten command' }),
        );
      const encoded = host.encode(item, edits);
      if (isRefusal(encoded)) return stop(encoded.code, encoded.at, encoded.message);
      this.apply(encoded);
    }
    const pinned = this.pinnedThroughVariables();
    const imageChange = host.imageEdits(this.opts.buildkitImage ?? pinned?.image);
    if (isRefusal(imageChange)) return stop(imageChange.code, imageChange.at, imageChange.message);
    this.apply(imageChange);
    const at = host.image.nameAt ?? host.image.setAt;
    for (const v of pinned?.variables ?? [])
      if (at) {
        const read = new RegExp(`\\$\\{?${v.name}(?![A-Za-z0-9_])`);
        const still = host.items.some((i) => read.test(i.script));
        this.add('KB218', at, messages('KB218').pinnedBy(v.name, v.value, pinned!.image, still));
      }
    const sandbox = host.sandbox();
    if (isRefusal(sandbox)) return stop(sandbox.code, sandbox.at, sandbox.message);
    if (sandbox) this.apply(sandbox);
    return out;
  }
}

/**
 * A call that is a command of its own (not in a pipeline or background, and in an `&&`/`||` list only as the last
 * command after plain assignments and exports, `export ARCH && \` then the call), with nothing after it on its
 * line: the steps written after it then run exactly when the call ran.
 */
function isStandalone(command: SimpleCommand, parsed: ParsedScript, script: string, end: number): boolean {
  if (command.enclosures.some((e) => e === 'pipeline' || e === 'background')) return false;
  if (command.enclosures.includes('and-or') && !afterAssignmentsOnly(command, parsed.commands, script)) return false;
  const rest = script.slice(end).split('\n')[0]!;
  return /^\s*(;?\s*(#.*)?)?$/.test(rest);
}

/** Text between two commands that joins them with `&&` (line continuations and line breaks after it allowed). */
const AND_GAP = /^[ \t]*&&(?:[ \t]|\\\r?\n|\r?\n)*$/;
/** How the text before a list ends when the list starts there (a line break, `;`, `then`, `do`, `{`, `(`…). */
const JOINED_BEFORE = /(&&|\|\||\||&)(?:\s|\\\r?\n)*$/;

/** `A=1 && export B && call`: every command before the call in its `&&` list sets or exports variables, nothing else. */
function afterAssignmentsOnly(command: SimpleCommand, commands: readonly SimpleCommand[], script: string): boolean {
  const same = (c: SimpleCommand) => c.enclosures.join() === command.enclosures.join();
  let i = commands.indexOf(command);
  let cur = command;
  for (; i > 0; i--) {
    const prev = commands[i - 1]!;
    const gap = script.slice(prev.end, cur.start);
    if (!AND_GAP.test(gap)) break;
    if (!same(prev) || !plainAssignment(prev)) return false;
    cur = prev;
  }
  if (cur === command) return false;
  return !JOINED_BEFORE.test(script.slice(0, cur.start));
}

/** Only assignments or `export`/`readonly` of names and values with no command substitution (which could fail). */
function plainAssignment(c: SimpleCommand): boolean {
  const head = c.words[0]?.value;
  const words = head === 'export' || head === 'readonly' ? c.words.slice(1) : c.words;
  if (words.length && words === c.words) return false;
  if (!c.assignments.length && !words.length) return false;
  return (
    !c.redirects.length && [...c.assignments, ...words].every((w) => w.segments.every((s) => s.kind !== 'command'))
  );
}

/** Extra indentation of the call's continuation lines, relative to its first line (literal blocks). */
function continuationOf(script: string, start: number, end: number): string | undefined {
  const nl = script.indexOf('\n', start);
  if (nl < 0 || nl >= end) return undefined;
  const firstLineStart = script.lastIndexOf('\n', start - 1) + 1;
  const firstLead = /^[ \t]*/.exec(script.slice(firstLineStart))![0];
  const nextLead = /^[ \t]*/.exec(script.slice(nl + 1))![0];
  return nextLead.length > firstLead.length ? nextLead.slice(firstLead.length) : '';
}
