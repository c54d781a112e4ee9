import type { CommandType } from '@klp/contracts';
import type { HostState } from '../host.state';
import type { Refusal, Verdict } from './verdict';

/**
 * The rules of one command under one profile: its own checks, in DOMAIN.md's order, after the
 * envelope checks that every profile shares (idempotency, then `expectedVersion`). The payload is
 * untrusted JSON.
 */
export type CommandRule = (payload: unknown, state: HostState) => Verdict;

export type CommandRules = { readonly [T in CommandType]: CommandRule };

/**
 * A kernel era's livepatch rules. `decide` takes the host's profile, so that a later era (5.1+: no
 * registration step, atomic replace, no stacking) is one more profile built from its own rules, and
 * its callers do not change. Events stay era-neutral: `evolve` and `view` are the same for all.
 */
export interface RuleProfile {
  readonly id: string;
  readonly description: string;
  readonly rules: CommandRules;
}

/**
 * Which patch may change next, on top of "one transition at a time". `index` is the patch's
 * position in `state.stack`.
 */
export interface PatchOrder {
  mayEnable(state: HostState, index: number): Refusal | null;
  mayDisable(state: HostState, index: number): Refusal | null;
}
