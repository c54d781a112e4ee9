import { parseEvents } from './live-stream';

describe('reading the event stream', () => {
  it('finds whole events and keeps the unfinished rest for the next chunk', () => {
    expect(parseEvents(': connected\n\nevent: settled\ndata: {"commands":3}\n\nevent: sett')).toEqual({
      events: ['settled'],
      rest: 'event: sett',
    });
    expect(parseEvents('event: sett' + 'led\ndata: {}\n\n')).toEqual({ events: ['settled'], rest: '' });
  });

  it('ignores comments and heartbeats', () => {
    expect(parseEvents(': ping\n\n: ping\n\n')).toEqual({ events: [], rest: '' });
  });
});
