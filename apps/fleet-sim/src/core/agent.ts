import type { BlockingTask, CommandPayloads } from '@klp/contracts';
import { BLOCKERS, OPTIONAL_MODULES, type SimHostSpec } from './fleet';
import { createPrng, type Prng } from './prng';

export type AgentCommandType =
  | 'HostBooted'
  | 'ModuleComing'
  | 'ModuleGoing'
  | 'PatchComplete'
  | 'UnpatchComplete'
  | 'EnableFailed'
  | 'TransitionProgress';

export interface SimCommand<T extends keyof CommandPayloads = keyof CommandPayloads> {
  hostId: string;
  type: T;
  payload: CommandPayloads[T];
}

/** What the agent read of its host from the api: the running transition and the view's version. */
export interface ObservedTransition {
  patch: string;
  target: 'patched' | 'unpatched';
  pendingTasks: number | null;
  version: number;
}

/** The final answer to one sent command. */
export type Settlement =
  { status: 'accepted'; version: number } | { status: 'rejected'; errno: string; version?: number };

export interface AgentBehaviour {
  /** Share of transitions to `patched` that stall on blocking tasks until an operator acts. */
  stallShare: number;
  /** Share of enables the kernel refuses (`EnableFailed`) before any progress. */
  failShare: number;
}

interface Tracked {
  patch: string;
  target: 'patched' | 'unpatched';
  startedAt: number;
  durationMs: number;
  tasks: number;
  fail: string | null;
  stall: BlockingTask[] | null;
  nextReportAt: number;
  reports: number;
  completing: boolean;
}

const FAIL_ERRNOS = ['ENODEV', 'EINVAL', 'EBUSY', 'ENOMEM'];

/**
 * One simulated host's agent, without I/O: it turns what it read of its host (the transition, if
 * any) and the time into the reports a real agent would send, and learns from each answer. The
 * shell polls, sends and settles; this class decides. Same seed, same inputs: same commands.
 */
export class SimAgent {
  readonly hostId: string;
  readonly kernelRelease: string;
  private readonly rng: Prng;
  private readonly modules: Set<string>;
  private bootState: 'new' | 'sent' | 'done' = 'new';
  private inFlight = 0;
  /** The version of our own last accepted command: views older than it are stale to us. */
  private minVersion = 0;
  private tracked: Tracked | null = null;
  private nextModuleChangeAt: number;

  constructor(
    spec: SimHostSpec,
    seed: number,
    private readonly behaviour: AgentBehaviour,
    now: number,
  ) {
    this.hostId = spec.hostId;
    this.kernelRelease = spec.kernelRelease;
    this.modules = new Set(spec.modules);
    this.rng = createPrng(`${seed}/${spec.hostId}/agent`);
    this.nextModuleChangeAt = now + this.rng.int(20_000, 300_000);
  }

  get booted(): boolean {
    return this.bootState === 'done';
  }
  get busy(): boolean {
    return this.inFlight > 0;
  }
  get inTransition(): boolean {
    return this.tracked !== null;
  }
  get stalled(): boolean {
    return this.tracked?.stall != null;
  }
  loadedModules(): string[] {
    return [...this.modules].sort();
  }

  /**
   * What the latest poll showed: the host's transition, or `null` when it has none. Ignored while
   * our own commands are unsettled, and when older than our last accepted command (a lagging read).
   */
  observe(observed: ObservedTransition | null, now: number): void {
    if (this.inFlight > 0 || this.bootState !== 'done') return;
    if (observed === null) {
      // A read model only moves forward: a transition seen before and gone now has ended.
      this.tracked = null;
      return;
    }
    if (observed.version < this.minVersion) return;
    const current = this.tracked;
    if (current && current.patch === observed.patch && current.target === observed.target) return;
    const reversed = current !== null && current.patch === observed.patch;
    this.tracked = this.plan(observed, reversed, now);
  }

  private plan(observed: ObservedTransition, reversed: boolean, now: number): Tracked {
    const rng = this.rng;
    const fresh = !reversed && observed.target === 'patched' && observed.pendingTasks === null;
    const fail = fresh && rng.chance(this.behaviour.failShare) ? rng.pick(FAIL_ERRNOS) : null;
    // A reversed transition only has to bring back the tasks that already switched: it does not
    // wait on the sleepers that blocked the forward one (transition.c: klp_reverse_transition).
    const stall =
      !fail && !reversed && observed.target === 'patched' && rng.chance(this.behaviour.stallShare)
        ? Array.from({ length: rng.int(1, 3) }, () => {
            const blocker = rng.pick(BLOCKERS);
            return { pid: rng.int(300, 65_000), comm: blocker.comm, function: blocker.function };
          })
        : null;
    return {
      patch: observed.patch,
      target: observed.target,
      startedAt: now,
      durationMs: rng.int(3_000, reversed ? 6_000 : 15_000),
      tasks: rng.int(80, 900),
      fail,
      stall,
      nextReportAt: now + rng.int(300, 1_500),
      reports: 0,
      completing: false,
    };
  }

  /** The commands to send now (none while earlier ones are unsettled: per-host order matters). */
  tick(now: number): SimCommand[] {
    if (this.bootState === 'new') {
      this.bootState = 'sent';
      return this.send([
        {
          hostId: this.hostId,
          type: 'HostBooted',
          payload: { kernelRelease: this.kernelRelease, modules: this.loadedModules() },
        },
      ]);
    }
    if (this.inFlight > 0 || this.bootState !== 'done') return [];
    const commands: SimCommand[] = [];
    const report = this.transitionReport(now);
    if (report) commands.push(report);
    if (now >= this.nextModuleChangeAt) {
      this.nextModuleChangeAt = now + this.rng.int(60_000, 300_000);
      commands.push(this.moduleChange());
    }
    return this.send(commands);
  }

  private transitionReport(now: number): SimCommand | null {
    const t = this.tracked;
    if (!t || t.completing || now < t.nextReportAt) return null;
    const patch = t.patch;
    if (t.fail) {
      t.completing = true;
      return { hostId: this.hostId, type: 'EnableFailed', payload: { patch, errno: t.fail } };
    }
    const elapsed = now - t.startedAt;
    t.reports++;
    if (t.stall && elapsed >= t.durationMs / 2) {
      t.nextReportAt = now + this.rng.int(4_000, 8_000);
      return this.progress(patch, t.stall.length + this.rng.int(0, 2), t.stall);
    }
    if (!t.stall && elapsed >= t.durationMs) {
      t.completing = true;
      const type = t.target === 'patched' ? 'PatchComplete' : 'UnpatchComplete';
      return { hostId: this.hostId, type, payload: { patch } };
    }
    t.nextReportAt = now + this.rng.int(1_500, 3_000);
    const left = Math.max(1, Math.round(t.tasks * (1 - elapsed / t.durationMs)));
    return this.progress(patch, left, []);
  }

  private progress(patch: string, pendingTasks: number, blockingTasks: BlockingTask[]): SimCommand {
    return {
      hostId: this.hostId,
      type: 'TransitionProgress',
      payload: { patch, pendingTasks, blockingTasks },
    };
  }

  private moduleChange(): SimCommand {
    const module = this.rng.pick(OPTIONAL_MODULES);
    const going = this.modules.has(module);
    // The agent is the kernel's witness: its own module list is the truth it reports.
    if (going) this.modules.delete(module);
    else this.modules.add(module);
    return { hostId: this.hostId, type: going ? 'ModuleGoing' : 'ModuleComing', payload: { module } };
  }

  private send(commands: SimCommand[]): SimCommand[] {
    this.inFlight += commands.length;
    return commands;
  }

  /** The final answer to one of our commands. */
  settle(command: SimCommand, settlement: Settlement): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    if (settlement.version !== undefined) {
      this.minVersion = Math.max(this.minVersion, settlement.version);
    }
    const ended = ['PatchComplete', 'UnpatchComplete', 'EnableFailed'].includes(command.type);
    if (command.type === 'HostBooted') {
      this.bootState = settlement.status === 'accepted' ? 'done' : 'new';
      this.tracked = null;
    } else if (settlement.status === 'rejected') {
      this.recover(command, settlement.errno);
    } else if (ended) {
      this.tracked = null;
    }
  }

  /** After a refusal, believe the api and re-learn: the host changed under us (an operator raced us). */
  private recover(command: SimCommand, errno: string): void {
    const module = (command.payload as { module?: string }).module ?? '';
    if (command.type === 'ModuleComing' && errno === 'EEXIST') this.modules.add(module);
    else if (command.type === 'ModuleGoing' && errno === 'ENOENT') this.modules.delete(module);
    else if (command.type !== 'ModuleComing' && command.type !== 'ModuleGoing') this.tracked = null;
  }
}
