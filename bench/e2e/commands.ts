import { AGENT_COMMAND_TYPES, type CommandEnvelope } from '@klp/contracts';
import { decide, evolve, type HostState, initialState } from '@klp/domain';
import { operationsWorkload } from '../workload';

/** One request of the benchmark, with the outcome the domain gives it when hosts see their commands in order. */
export interface PlannedCommand {
  body: { commandId: string; hostId: string; type: string; payload: unknown };
  role: 'operator' | 'agent';
  expected: 'accepted' | 'rejected';
}

const AGENT_TYPES = new Set<string>(AGENT_COMMAND_TYPES);

/**
 * The command stream of bench/workload.ts (each host's script: boot, two stacked patches enabled
 * with progress reports, a refused disable, module churn, disable and unregister), arranged so that
 * any stretch of it holds the whole mix, not one step of every host in turn.
 *
 * Host i starts its script `i mod L` slots late (L, the length of one script cycle). In slot s every
 * host that has started sends its next command, host after host. After the first L - 1 slots (the
 * ramp, which the benchmark sends through `/v1/commands:batch` before measuring) every slot holds
 * every step of the script in equal shares, and a host's next command comes a whole slot (one
 * command per host) later: at 1,000 commands/s over 5,000 hosts, 5 s later, so requests for the
 * same host never overlap while the stack keeps up, and the expected outcomes hold.
 *
 * The expected outcome of each command comes from the domain's own `decide`, folded in order.
 */
export class CommandStream {
  static readonly CYCLE = 23;
  private readonly scripts: Array<Iterator<CommandEnvelope>>;
  private readonly states: HostState[];
  private readonly hostIds: string[];
  private slot = 0;
  private hostIndex = 0;
  private sequence = 0;
  private refused = 0;

  constructor(
    readonly hosts: number,
    seed: number,
    private readonly run: string,
    hostPrefix = 'bench-',
  ) {
    this.hostIds = Array.from(
      { length: hosts },
      (_, index) => `${hostPrefix}${String(index).padStart(6, '0')}`,
    );
    this.scripts = this.hostIds.map((_, index) =>
      operationsWorkload(1, seed * 100_003 + index)[Symbol.iterator](),
    );
    this.states = this.hostIds.map((hostId) => initialState(hostId));
  }

  /** Commands of the ramp: every slot before the one where the last host starts. */
  get rampLength(): number {
    let total = 0;
    for (let slot = 0; slot < CommandStream.CYCLE - 1; slot++) total += this.activeIn(slot);
    return total;
  }

  /** The share of the commands taken so far that the domain refuses (by design of the workload). */
  get refusedShare(): number {
    return this.refused / Math.max(1, this.sequence);
  }

  take(count: number): PlannedCommand[] {
    const out: PlannedCommand[] = [];
    while (out.length < count) out.push(this.next());
    return out;
  }

  private activeIn(slot: number): number {
    // Hosts i with i mod CYCLE <= slot.
    let active = 0;
    for (let offset = 0; offset <= Math.min(slot, CommandStream.CYCLE - 1); offset++)
      active += Math.floor((this.hosts - 1 - offset) / CommandStream.CYCLE) + 1;
    return active;
  }

  private next(): PlannedCommand {
    for (;;) {
      if (this.hostIndex >= this.hosts) {
        this.hostIndex = 0;
        this.slot += 1;
      }
      const index = this.hostIndex++;
      if (index % CommandStream.CYCLE > this.slot) continue;
      const step = this.scripts[index].next();
      if (step.done) continue;
      this.sequence += 1;
      const hostId = this.hostIds[index];
      const commandId = `e2e-${this.run}-${this.sequence}`;
      const envelope = {
        ...step.value,
        hostId,
        commandId,
        correlationId: commandId,
        actor: 'bench',
        issuedAt: new Date().toISOString(),
      } as CommandEnvelope;
      const decision = decide(envelope, this.states[index]);
      if (decision.outcome === 'duplicate') throw new Error(`duplicate command ${commandId}`);
      for (const event of decision.events) this.states[index] = evolve(this.states[index], event);
      if (decision.outcome === 'rejected') this.refused += 1;
      return {
        body: { commandId, hostId, type: envelope.type, payload: envelope.payload },
        role: AGENT_TYPES.has(envelope.type) ? 'agent' : 'operator',
        expected: decision.outcome,
      };
    }
  }
}
