/**
 * Migrating repositories where one cannot stall the others (issue 18): each `migrate` runs `migrateRepository` in a
 * worker thread (src/bulk/worker.ts) of a pool of `workers`, under a time limit. The main thread keeps the reads
 * (the repository's files, the resolver of other projects: the worker asks for them, src/bulk/wire.ts), so it is
 * free while a repository is planned: other repositories go on, the progress moves, a signal is seen at once.
 *
 * - A repository that takes longer than `timeLimitMs` is given up (its worker is ended and a new one started): its
 *   result is a KB116 error on its entry file, naming the limit; the others go on.
 * - `cancel()` (a signal) ends every worker: each repository being planned, and every one not yet started, gives
 *   `undefined` (not processed). Nothing is written by a worker, so nothing is left half-done.
 * - A worker that dies (out of memory, a bug) gives that repository a KB106 error; the others go on.
 *
 * A repository that is a plain folder on disk (RepositorySource.folder) is read by the worker itself, as the main
 * thread would read it: asking for each file would cost a round trip between the threads for every read.
 *
 * Every door with more than one repository uses it (`migrate --recursive`, `gitlab`); `migrate PATH` and the library
 * plan in their own thread.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import type { IncludeResolver, ProjectFiles } from '../pipeline/includes.js';
import type { FileSource } from '../pipeline/file-source.js';
import { InputError } from '../pipeline/source.js';
import type { ProjectResult } from '../project/plan.js';
import type { RepositoryOptions, RepositoryResult } from '../repository/migrate.js';
import type { RepositorySource } from '../repository/source.js';
import {
  fromWireResult,
  toWireError,
  type FromWorker,
  type SyncCall,
  type Target,
  type ToWorker,
  type WireProjectFiles,
} from './wire.js';

/** The same signature as `migrateRepository`; undefined: the run was cancelled before this repository was done. */
export type IsolatedMigrate = (
  source: RepositorySource,
  opts?: RepositoryOptions,
) => Promise<RepositoryResult | undefined>;

export interface Isolation {
  migrate: IsolatedMigrate;
  /** Ends every worker: what is being planned or waiting gives undefined; later calls too. */
  cancel(): void;
  /** Ends the workers once idle (the run is over). */
  close(): Promise<void>;
}

export interface IsolationOptions {
  /** Workers at most (the run's concurrency). */
  workers: number;
  /** Milliseconds one repository may take. */
  timeLimitMs: number;
  /** The worker script (default: dist/bulk/worker.js of this package). */
  script?: string | URL;
}

/**
 * The worker script: the build's bundle of it (dist/bulk/worker.cjs, scripts/bundle.mjs), else tsc's output
 * (dist/bulk/worker.js); found beside this module, also when this module is the CLI's bundle (dist/cli/bundle.cjs),
 * or from a test's TypeScript source (src/bulk/isolation.ts → dist/bulk/).
 */
function workerScript(): URL {
  for (const folder of ['../bulk/', '../../dist/bulk/'])
    for (const name of ['worker.cjs', 'worker.js']) {
      const url = new URL(folder + name, import.meta.url);
      if (existsSync(fileURLToPath(url))) return url;
    }
  return new URL('../bulk/worker.js', import.meta.url);
}

interface Task {
  id: number;
  source: RepositorySource;
  opts: RepositoryOptions;
  resolve: (r: RepositoryResult | undefined) => void;
  /** Other projects' files the resolver returned to this task, by handle. */
  files: Map<number, FileSource>;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  sync: MessagePort;
  signal: Int32Array;
  task?: Task;
  /** Loaded (it said `ready`). */
  ready?: boolean;
}

/** What a worker may call: the reading methods of RepositorySource and IncludeResolver. */
const CALLS = new Set(['read', 'list', 'listSources', 'readSource', 'project', 'releases']);

let tasks = 0;
let handles = 0;

export function isolation(opts: IsolationOptions): Isolation {
  const idle: Slot[] = [];
  const all = new Set<Slot>();
  const queue: Task[] = [];
  let cancelled = false;
  /** Workers started and not yet loaded. */
  let starting = 0;

  const targetOf = (task: Task, target: Target): FileSource | IncludeResolver | undefined => {
    if (target === 'source') return task.source;
    if (target === 'resolver') return task.opts.resolver;
    return task.files.get(Number(target.slice('files:'.length)));
  };

  /** A reply to a worker's call; for a task that is over (its worker ended) there is nobody to tell. */
  const answer = (slot: Slot, call: number, value: unknown, error?: unknown) => {
    if (!all.has(slot)) return;
    slot.worker.postMessage(
      (error === undefined
        ? { type: 'reply', call, value }
        : { type: 'reply', call, error: toWireError(error) }) satisfies ToWorker,
    );
  };

  async function onCall(slot: Slot, m: Extract<FromWorker, { type: 'call' }>): Promise<void> {
    const task = slot.task;
    if (!task || task.id !== m.task) return;
    try {
      const target = targetOf(task, m.target) as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
      const method = CALLS.has(m.method) ? target?.[m.method] : undefined;
      if (typeof method !== 'function') throw new Error(`no ${m.method} here`);
      const value = await method.apply(target, m.args);
      if (m.target === 'resolver' && m.method === 'project' && value && typeof value === 'object') {
        const handle = ++handles;
        task.files.set(handle, (value as ProjectFiles).source);
        answer(slot, m.call, { handle, ref: (value as ProjectFiles).ref } satisfies WireProjectFiles);
      } else answer(slot, m.call, value);
    } catch (e) {
      answer(slot, m.call, undefined, e ?? new Error('failed'));
    }
  }

  function onSync(slot: Slot, m: SyncCall): void {
    let value: boolean | undefined;
    const task = slot.task;
    try {
      if (task && task.id === m.task) value = (targetOf(task, m.target) as FileSource | undefined)?.exists(m.args[0]);
    } catch {
      value = undefined;
    }
    slot.sync.postMessage(value);
    Atomics.store(slot.signal, 0, 1);
    Atomics.notify(slot.signal, 0);
  }

  function finish(slot: Slot, result: RepositoryResult | undefined): void {
    const task = slot.task;
    if (!task) return;
    clearTimeout(task.timer);
    slot.task = undefined;
    slot.worker.unref(); // an idle worker keeps no run alive
    task.resolve(result);
    if (all.has(slot)) idle.push(slot);
    next();
  }

  /** Ends a slot's worker (a time limit, a crash, a cancel); its task gets `result`. */
  function end(slot: Slot, result: RepositoryResult | undefined): void {
    all.delete(slot);
    slot.sync.close();
    void slot.worker.terminate();
    finish(slot, result);
  }

  function spawn(): Slot {
    const flag = new SharedArrayBuffer(4);
    const channel = new MessageChannel();
    const worker = new Worker(opts.script ?? workerScript(), {
      workerData: { flag, sync: channel.port2 },
      transferList: [channel.port2],
    });
    const slot: Slot = { worker, sync: channel.port1, signal: new Int32Array(flag) };
    all.add(slot);
    channel.port1.on('message', (m: SyncCall) => onSync(slot, m));
    worker.on('message', (m: FromWorker) => {
      if (m.type === 'ready') {
        starting--;
        slot.ready = true;
        slot.worker.unref();
        idle.push(slot);
        next();
      } else if (m.type === 'call') void onCall(slot, m);
      else if (slot.task?.id === m.task) {
        if (m.type === 'done') {
          const runs = slot.task.opts.templateRuns;
          for (const [label, made] of m.templates)
            if (runs && !runs.has(label)) runs.set(label, Promise.resolve(fromWireResult(made)));
          finish(slot, fromWireResult(m.result));
        } else finish(slot, failure(slot.task, `cannot migrate: ${m.error.message}`, 'KB106'));
      }
    });
    worker.on('error', (e) => {
      if (slot.task) end(slot, failure(slot.task, `cannot migrate: the worker failed: ${e.message}`, 'KB106'));
      else if (!slot.ready) {
        // it could not even start (its script is missing, say): the waiting repositories fail with the reason
        for (const t of queue.splice(0))
          t.resolve(failure(t, `cannot migrate: cannot start a worker: ${e.message}`, 'KB106'));
      }
    });
    worker.on('exit', (code) => {
      const mine = all.has(slot);
      if (!slot.ready && mine) starting--;
      if (mine && slot.task) end(slot, failure(slot.task, `cannot migrate: the worker exited (${code})`, 'KB106'));
      all.delete(slot);
      const i = idle.indexOf(slot);
      if (i >= 0) idle.splice(i, 1);
      // a repository that came while this worker was failing to start waits for it: it gets a worker of its own
      if (mine) next();
    });
    channel.port1.unref();
    return slot;
  }

  /** Gives waiting tasks to idle workers, starting workers (which become idle once loaded) up to the limit. */
  function next(): void {
    if (cancelled) return;
    while (queue.length && idle.length) {
      const slot = idle.pop()!;
      const task = queue.shift()!;
      slot.task = task;
      worker(slot, task);
    }
    while (queue.length > starting && all.size < Math.max(1, opts.workers)) {
      starting++;
      spawn();
    }
  }

  function worker(slot: Slot, task: Task): void {
    const { resolver } = task.opts;
    slot.worker.ref();
    task.timer = setTimeout(() => {
      const s = Math.round(opts.timeLimitMs / 100) / 10;
      end(
        slot,
        failure(task, `gave up after ${s} s (the time limit of one repository, --time-limit): not migrated`, 'KB116'),
      );
    }, opts.timeLimitMs);
    slot.worker.postMessage({
      type: 'run',
      task: task.id,
      options: {
        entry: task.opts.entry,
        sources: task.opts.sources,
        buildkitImage: task.opts.buildkitImage,
        includeSwitches: task.opts.includeSwitches,
        mode: task.opts.mode,
      },
      ...(resolver ? { resolver: { hosts: resolver.hosts, releases: !!resolver.releases } } : {}),
      list: !!task.source.list,
      ...(task.source.folder !== undefined ? { folder: task.source.folder } : {}),
    } satisfies ToWorker);
  }

  return {
    migrate(source, o = {}) {
      if (cancelled) return Promise.resolve(undefined);
      return new Promise((resolve) => {
        queue.push({ id: ++tasks, source, opts: o, resolve, files: new Map() });
        next();
      });
    },
    cancel() {
      cancelled = true;
      for (const t of queue.splice(0)) t.resolve(undefined);
      for (const slot of [...all]) end(slot, undefined);
    },
    async close() {
      cancelled = true;
      for (const t of queue.splice(0)) t.resolve(undefined);
      await Promise.all([...all].map((s) => (all.delete(s), s.sync.close(), s.worker.terminate())));
    },
  };
}

/** A repository given up: the error on its entry file (the pipeline file, or the repository for generators only). */
function failure(task: Task, message: string, code: 'KB106' | 'KB116'): RepositoryResult {
  const entry = task.opts.entry === undefined ? '.gitlab-ci.yml' : (task.opts.entry ?? '');
  const result: ProjectResult = {
    files: [],
    jobs: [],
    failed: [{ path: entry, error: new InputError(entry, 0, 0, message, code) }],
  };
  return result;
}
