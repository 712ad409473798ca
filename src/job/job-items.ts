/** A job's script items, each read once by the shell reader, and the executor calls among them. */
import { isScalar } from 'yaml';
import { executorIndex } from '../kaniko/call.js';
import type { Pipeline, ScriptItem } from '../pipeline/jobs.js';
import { parseScript } from '../shell/index.js';
import type { ParsedScript, SimpleCommand } from '../shell/types.js';
import type { HostItem, Wrapper } from './item.js';

export interface ParsedItem {
  item: ScriptItem;
  /** The shell reading, made on first use and shared by every job that inherits the item. */
  readonly parsed: ParsedScript;
  script: string;
}

const parseCache = new WeakMap<object, ParsedScript>();

function parseItem(item: ScriptItem): ParsedItem {
  const script = String(item.node.value ?? '');
  return {
    item,
    script,
    get parsed() {
      let parsed = parseCache.get(item.node);
      if (!parsed) {
        parsed = parseScript(script);
        parseCache.set(item.node, parsed);
      }
      return parsed;
    },
  };
}

/** The job's shell items in run order: before_script and script (and after_script when asked). */
export function jobItems(pipeline: Pipeline, name: string, withAfter = false): ParsedItem[] {
  const after = withAfter ? pipeline.scriptItems(name, 'after_script') : [];
  return [...pipeline.scriptItems(name, 'before_script'), ...pipeline.scriptItems(name, 'script'), ...after]
    .filter((i) => isScalar(i.node) && typeof i.node.value === 'string')
    .map(parseItem);
}

/**
 * The executor calls among the items, in run order: commands that run the executor, and calls of executor wrappers
 * the job writes itself (`wrapper` set; `head` is the wrapper's word).
 */
export function findCalls<I extends HostItem>(
  items: readonly I[],
  wrappers?: ReadonlyMap<string, Wrapper<I>>,
): { item: I; command: SimpleCommand; head: number; wrapper?: Wrapper<I> }[] {
  const out: { item: I; command: SimpleCommand; head: number; wrapper?: Wrapper<I> }[] = [];
  for (const item of items) {
    // no call can hide in an item without the word: skip the parse
    if (!item.script.includes('executor') && ![...(wrappers?.keys() ?? [])].some((p) => item.script.includes(p)))
      continue;
    for (const command of item.parsed.commands) {
      const head = executorIndex(command);
      const wrapper = head < 0 ? wrappers?.get(command.words[0]?.value ?? '') : undefined;
      if (head >= 0) out.push({ item, command, head });
      else if (wrapper && !wrapper.commands.includes(command)) out.push({ item, command, head: 0, wrapper });
    }
  }
  return out;
}
