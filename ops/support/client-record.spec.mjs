import { signal } from '@angular/core';
import { Connection } from '../../projects/ngx-realtime-signals/src/lib/core/connection';
import { realtimeError } from '../../projects/ngx-realtime-signals/src/lib/core/errors';
import { ReconnectPolicy } from '../../projects/ngx-realtime-signals/src/lib/core/reconnect-policy';
import { ConnectionStatusSignals, mirrorConnection } from '../../projects/ngx-realtime-signals/src/lib/status/connection-status-signals';
import { BOUNCED, ClientRecord, recordStates } from './client-record.mjs';

const noBrowser = { window: null, document: null, navigator: null };

describe('recordStates', () => {
  beforeEach(() => jest.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => jest.useRealTimers());

  it('sees a client give up on a frozen connection even when it is open again within a millisecond or two', () => {
    // The chaos stall, as a chat reader lives it: the first connection freezes, the ping goes
    // unanswered, and the session reports a heartbeat timeout 20 s in; the first retry after a
    // cut waits random() * initialDelayMs / 4 (0 here), and the new connection's welcome is 2 ms away.
    const status = new ConnectionStatusSignals();
    let attempts = 0;
    const connection = new Connection(
      (ctx) => {
        const timer =
          attempts++ === 0
            ? (ctx.opened(), setTimeout(() => ctx.closed(realtimeError('heartbeat_timeout', 'No pong from the chat server.', true)), 20_000))
            : setTimeout(() => ctx.opened(), 2);
        return () => clearTimeout(timer);
      },
      { policy: new ReconnectPolicy({ initialDelayMs: 100, maxDelayMs: 1000 }), environment: noBrowser, random: () => 0 },
    );
    const unmirror = mirrorConnection(connection, status);
    const record = new ClientRecord('websocket', 'reader1');
    const stop = recordStates(status.state, record);
    jest.advanceTimersByTime(3);
    connection.start();
    const frozenAt = Date.now();
    jest.advanceTimersByTime(25_000);

    expect(record.leftOpenAfter(frozenAt)).toBe(frozenAt + 20_000);
    expect(record.reconnects).toBe(1);
    expect(record.currentState).toBe('open');
    stop();
    unmirror();
    connection.stop();
  });

  it('counts a state changed and changed back within one task as having left it', () => {
    const state = signal('open');
    const record = new ClientRecord('sse', 'sse-1');
    const stop = recordStates(state, record);
    jest.advanceTimersByTime(5);
    state.set('reconnecting');
    state.set('open');
    jest.advanceTimersByTime(5);

    expect(record.states.map((s) => s.state)).toEqual(['open', BOUNCED, 'open']);
    expect(record.leftOpenAfter(1_000_000)).toBe(1_000_005);
    expect(record.reconnects).toBe(1);
    stop();
  });

  it('records nothing after it is stopped', () => {
    const state = signal('connecting');
    const record = new ClientRecord('long-poll', 'poll-1');
    const stop = recordStates(state, record);
    stop();
    state.set('open');
    jest.advanceTimersByTime(5);

    expect(record.states.map((s) => s.state)).toEqual(['connecting']);
  });
});
