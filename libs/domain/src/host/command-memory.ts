import type { Errno } from '@klp/contracts';

/**
 * The idempotency memory of one host: the outcome of each recent command, so that a repeated
 * commandId gets its first outcome back. A tuple keeps 100k hosts × 1,000 entries small.
 */
export type CommandMemo =
  | readonly [commandId: string, version: number]
  | readonly [commandId: string, version: number, errno: Errno, reason: string];

/**
 * A FIFO in chunks of {@link MEMORY_CHUNK}: remembering a command copies only the newest chunk (and
 * the short outer array), never the whole memory, and full chunks are shared between states.
 */
export type CommandMemory = readonly (readonly CommandMemo[])[];

export const MEMORY_CHUNK = 100;

/** Ten full chunks plus the one being filled: always at least the last 1,000 commands. */
export const MEMORY_CHUNKS = 11;

/** How many commands a host is guaranteed to remember. */
export const REMEMBERED_COMMANDS = MEMORY_CHUNK * (MEMORY_CHUNKS - 1);

export function remember(memory: CommandMemory, memo: CommandMemo): CommandMemory {
  const last = memory[memory.length - 1];
  if (last !== undefined && last.length < MEMORY_CHUNK) {
    return [...memory.slice(0, -1), [...last, memo]];
  }
  const grown = [...memory, [memo]];
  return grown.length > MEMORY_CHUNKS ? grown.slice(grown.length - MEMORY_CHUNKS) : grown;
}

// Full chunks never change, so an index of each can be cached beside the (plain JSON) state; a
// WeakMap lets a chunk and its index go together once no state holds the chunk.
const chunkIndexes = new WeakMap<readonly CommandMemo[], Map<string, CommandMemo>>();

function indexOf(chunk: readonly CommandMemo[]): Map<string, CommandMemo> {
  let index = chunkIndexes.get(chunk);
  if (index === undefined) {
    index = new Map();
    for (const memo of chunk) index.set(memo[0], memo);
    chunkIndexes.set(chunk, index);
  }
  return index;
}

export function recall(memory: CommandMemory, commandId: string): CommandMemo | undefined {
  for (let i = memory.length - 1; i >= 0; i--) {
    const chunk = memory[i];
    if (chunk.length === MEMORY_CHUNK) {
      const memo = indexOf(chunk).get(commandId);
      if (memo !== undefined) return memo;
    } else {
      const memo = chunk.find((entry) => entry[0] === commandId);
      if (memo !== undefined) return memo;
    }
  }
  return undefined;
}
