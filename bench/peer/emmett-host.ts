/**
 * Our pure domain (`decide`, `evolve`, `view`) plugged into Emmett the way a TypeScript team would:
 * a `CommandHandler` over one stream per host, and a pongo single-stream projection of the host
 * view. Nothing here is tuned for the benchmark; it is the documented Emmett shape.
 */
import { CommandHandler, type Event, type ReadEvent } from '@event-driven-io/emmett';
import { pongoSingleStreamProjection } from '@event-driven-io/emmett-postgresql';
import {
  type CommandEnvelope,
  type HostEvent,
  type HostState,
  decide,
  evolve,
  initialState,
  view,
} from '@klp/domain';
import { EVENT_TYPES } from '@klp/contracts';

/** Emmett's event shape: `{ type, data }`. The data is our whole event envelope, as we store it. */
export type HostStreamEvent = Event<HostEvent['type'], Record<string, unknown>>;

export const toStreamEvent = (event: HostEvent): HostStreamEvent => ({
  type: event.type,
  data: event as unknown as Record<string, unknown>,
});

const fromStreamEvent = (event: HostStreamEvent): HostEvent => event.data as unknown as HostEvent;

export const streamOf = (hostId: string) => `host-${hostId}`;
const hostOfStream = (streamName: string) => streamName.slice('host-'.length);

/**
 * The state Emmett folds from the stream. Our `initialState` needs the host id, which Emmett's
 * `initialState()` does not get, so the first event fills it in (every event carries `hostId`).
 */
const emptyState = (): HostState => initialState('');

export function evolveStream(state: HostState, event: HostStreamEvent): HostState {
  const domainEvent = fromStreamEvent(event);
  const current = state.hostId === '' ? initialState(domainEvent.hostId) : state;
  return evolve(current, domainEvent);
}

export const handleHostCommand = CommandHandler<HostState, HostStreamEvent>({
  evolve: evolveStream,
  initialState: emptyState,
});

/** `decide` as an Emmett handler function: accepted or rejected, the events to append. */
export function decideWith(command: CommandEnvelope): (state: HostState) => HostStreamEvent[] {
  return (state) => {
    const decision = decide(command, state.hostId === '' ? initialState(command.hostId) : state);
    return decision.outcome === 'duplicate' ? [] : decision.events.map(toStreamEvent);
  };
}

/**
 * The host view as a pongo document. `view(state)` needs the full state, which a view document
 * does not hold, so the document carries the state beside the view (less the command memory, which
 * only serves deduplication). Rejections do not change the view, so they are not projected.
 */
export type HostViewDocument = Record<string, unknown> & { _state: HostState };

export const HOSTS_COLLECTION = 'host_views';

export const hostViewProjection = pongoSingleStreamProjection<HostViewDocument, HostStreamEvent>({
  collectionName: HOSTS_COLLECTION,
  canHandle: EVENT_TYPES.filter((type) => type !== 'CommandRejected'),
  evolve: (document: HostViewDocument | null, event: ReadEvent<HostStreamEvent>) => {
    const state = document?._state ?? initialState(hostOfStream(event.metadata.streamName));
    const next = evolve(state, fromStreamEvent(event));
    const hostView = view(next);
    if (hostView === null) return null;
    return { ...(hostView as unknown as Record<string, unknown>), _state: { ...next, commands: [] } };
  },
});
