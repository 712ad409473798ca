/**
 * A repository worker (issue 18: one repository must not stall the others): a worker thread that migrates one
 * repository at a time with `migrateRepository`, while the main thread stays free to run the others, count the time
 * limit, answer signals and print progress. Started by src/bulk/isolation.ts, which holds everything that reads:
 * the repository's files, the resolver of other projects; here they are proxies that ask the main thread (but a
 * repository that is a folder on disk is read here, with the same diskRepository). So a repository is migrated exactly
 * as in the main thread, from the same reads, whichever door it came through.
 *
 * Template runs (other projects' files migrated on their own) are kept for the worker's life, and each one this
 * worker made is sent back with the result, so that the run's own map holds them as if made in the main thread.
 */
import { parentPort, receiveMessageOnPort, workerData, type MessagePort } from 'node:worker_threads';
import type { FileSource } from '../pipeline/file-source.js';
import type { IncludeResolver, ProjectFiles } from '../pipeline/includes.js';
import type { ProjectResult } from '../project/plan.js';
import { migrateRepository } from '../repository/migrate.js';
import { diskRepository, type RepositorySource } from '../repository/source.js';
import {
  fromWireError,
  toWireError,
  toWireResult,
  type FromWorker,
  type SyncCall,
  type Target,
  type ToWorker,
  type WireProjectFiles,
  type WireResult,
} from './wire.js';

interface Data {
  /** One Int32: 0 while a synchronous call waits, 1 once the main thread has answered it. */
  flag: SharedArrayBuffer;
  sync: MessagePort;
}

/** How long a synchronous call waits for the main thread before it is taken as "cannot tell". */
const SYNC_WAIT_MS = 60_000;

const port = parentPort!;
const { flag, sync } = workerData as Data;
const signal = new Int32Array(flag);
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
let calls = 0;

/** Template runs kept for the worker's life; `made` records the ones the current task adds. */
class TemplateRuns extends Map<string, Promise<ProjectResult>> {
  made: string[] = [];
  override set(key: string, value: Promise<ProjectResult>): this {
    if (!this.has(key)) this.made.push(key);
    return super.set(key, value);
  }
}
const templateRuns = new TemplateRuns();

function send(message: FromWorker): void {
  port.postMessage(message);
}

function call(task: number, target: Target, method: string, args: unknown[]): Promise<unknown> {
  const id = ++calls;
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    send({ type: 'call', task, call: id, target, method, args });
  });
}

function exists(task: number, target: Target, path: string): boolean | undefined {
  Atomics.store(signal, 0, 0);
  sync.postMessage({ task, target, method: 'exists', args: [path] } satisfies SyncCall);
  if (Atomics.wait(signal, 0, 0, SYNC_WAIT_MS) === 'timed-out') return undefined;
  const answer = receiveMessageOnPort(sync);
  return answer?.message as boolean | undefined;
}

function files(task: number, target: Target, list: boolean): FileSource {
  return {
    read: (path) => call(task, target, 'read', [path]) as Promise<string | undefined>,
    exists: (path) => exists(task, target, path),
    ...(list
      ? { list: (folder: string) => call(task, target, 'list', [folder]) as Promise<string[] | undefined> }
      : {}),
  };
}

function resolver(task: number, about: NonNullable<Extract<ToWorker, { type: 'run' }>['resolver']>): IncludeResolver {
  return {
    ...(about.hosts ? { hosts: about.hosts } : {}),
    async project(path, ref): Promise<ProjectFiles | string> {
      const answer = (await call(task, 'resolver', 'project', [path, ref])) as WireProjectFiles;
      if (typeof answer === 'string') return answer;
      return { ref: answer.ref, source: files(task, `files:${answer.handle}`, true) };
    },
    ...(about.releases
      ? { releases: (path: string) => call(task, 'resolver', 'releases', [path]) as Promise<string[] | string> }
      : {}),
  };
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const { task } = message;
  const source: RepositorySource =
    message.folder !== undefined
      ? diskRepository(message.folder)
      : {
          ...files(task, 'source', message.list),
          listSources: (glob) => call(task, 'source', 'listSources', [glob]) as Promise<string[]>,
          readSource: (path) => call(task, 'source', 'readSource', [path]) as Promise<string | undefined>,
        };
  templateRuns.made = [];
  try {
    const result = await migrateRepository(source, {
      ...message.options,
      ...(message.resolver ? { resolver: resolver(task, message.resolver) } : {}),
      templateRuns,
    });
    const templates: [string, WireResult][] = [];
    for (const label of templateRuns.made) {
      const made = await templateRuns.get(label)!.catch(() => undefined);
      if (made) templates.push([label, toWireResult(made)]);
    }
    send({ type: 'done', task, result: toWireResult(result), templates });
  } catch (e) {
    send({ type: 'failed', task, error: toWireError(e) });
  }
}

/** Loaded: the time limit of a task counts from here, not from the worker's start. */
send({ type: 'ready' });

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') void run(message);
  else {
    const waiting = pending.get(message.call);
    if (!waiting) return;
    pending.delete(message.call);
    if (message.error) waiting.reject(fromWireError(message.error));
    else waiting.resolve(message.value);
  }
});
