import { useEffect, useState } from 'react';
import type { Api } from './api';

/**
 * The api's push channel (`GET /v1/stream`, server-sent events read with fetch so that the token
 * travels as a header, never in a URL). Each `settled` event means the read model took in new
 * outcomes; screens listen on `liveEvents` and load again at once instead of waiting for a poll.
 */
export const liveEvents = new EventTarget();

export type LiveState = 'connecting' | 'push' | 'polling';

/** Parses a chunk of an event stream; returns the event names seen and the unfinished rest. */
export function parseEvents(buffer: string): { events: string[]; rest: string } {
  const blocks = buffer.split('\n\n');
  const rest = blocks.pop() ?? '';
  const events = blocks.flatMap((block) => {
    const line = block.split('\n').find((text) => text.startsWith('event: '));
    return line ? [line.slice('event: '.length)] : [];
  });
  return { events, rest };
}

async function follow(api: Api, signal: AbortSignal, onOpen: () => void): Promise<void> {
  const response = await fetch('/v1/stream', { headers: { authorization: `Bearer ${api.token}` }, signal });
  if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`);
  onOpen();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    const parsed = parseEvents(buffer + value);
    buffer = parsed.rest;
    for (const name of parsed.events) liveEvents.dispatchEvent(new Event(name));
  }
}

/** Keeps the stream open while signed in, reconnecting with a growing pause; says how it goes. */
export function useLiveStream(api: Api): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  useEffect(() => {
    const controller = new AbortController();
    let pause = 1000;
    const loop = async () => {
      while (!controller.signal.aborted) {
        try {
          await follow(api, controller.signal, () => {
            pause = 1000;
            setState('push');
          });
        } catch {
          // falls back to polling until the stream is back
        }
        if (controller.signal.aborted) return;
        setState('polling');
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 30_000);
      }
    };
    void loop();
    return () => controller.abort();
  }, [api]);
  return state;
}
