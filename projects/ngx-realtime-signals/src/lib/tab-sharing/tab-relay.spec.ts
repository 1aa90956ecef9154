import type { StreamSink } from '../core/transports/realtime-transports';
import type { TabMessage } from './tab-messages';
import { TabRelay } from './tab-relay';
import { requestKey, socketKey } from './tab-messages';
import { FakeServer } from './spec-support/fake-tabs';

function recordingSink() {
  const calls: string[] = [];
  const sink: StreamSink = {
    opened: () => calls.push('opened'),
    event: (e) => calls.push(`event ${e.id}`),
    reset: (c) => calls.push(`reset ${c}`),
    position: (c) => calls.push(`position ${c}`),
    retryHint: () => undefined,
    activity: () => undefined,
    closed: (e) => calls.push(`closed ${e.code}`),
  };
  return { calls, sink };
}

const catchUp = (topic: string) => `/api/poll/${encodeURIComponent(topic)}`;
const event = (id: string) => ({ id, topic: 'news', type: 'note', data: null, ts: 0 });

describe('TabRelay', () => {
  it('drops the frames of a deposed leader and follows the new one', () => {
    const posted: TabMessage[] = [];
    const relay = new TabRelay('me', (m) => posted.push(m), new FakeServer(), catchUp);
    relay.setLeader('old', 5);
    const { calls, sink } = recordingSink();
    relay.openStream({ url: '/api/events/news', topic: 'news', cursor: 'e1', headers: {} }, sink);
    expect(posted[0]).toMatchObject({ t: 's-attach', to: 'old', from: 'me', cursor: 'e1' });
    relay.receive({ t: 's-attached', epoch: 5, to: 'me', sub: '1', uid: 'u5', open: true, position: 'e1' });
    relay.receive({ t: 's-event', epoch: 5, uid: 'u5', prev: 'e1', event: event('e2') });
    relay.setLeader('new', 6);
    // late frames of the leader that was replaced
    relay.receive({ t: 's-event', epoch: 5, uid: 'u5', prev: 'e2', event: event('e3') });
    expect(calls).toEqual(['opened', 'event e2', 'closed network']);
  });

  it('ignores frames of an epoch it does not follow, even for a known upstream', () => {
    const relay = new TabRelay('me', () => undefined, new FakeServer(), catchUp);
    relay.setLeader('lead', 7);
    const { calls, sink } = recordingSink();
    relay.openStream({ url: '/api/events/news', topic: 'news', cursor: 'e1', headers: {} }, sink);
    relay.receive({ t: 's-attached', epoch: 7, to: 'me', sub: '1', uid: 'u', open: true, position: 'e1' });
    relay.receive({ t: 's-event', epoch: 6, uid: 'u', prev: 'e1', event: event('e2') });
    relay.receive({ t: 's-event', epoch: 7, uid: 'u', prev: 'e1', event: event('e3') });
    expect(calls).toEqual(['opened', 'event e3']);
  });

  it('waits for a leader before attaching', () => {
    const posted: TabMessage[] = [];
    const relay = new TabRelay('me', (m) => posted.push(m), new FakeServer(), catchUp);
    relay.openStream({ url: '/api/events/news', topic: 'news', cursor: null, headers: {} }, recordingSink().sink);
    expect(posted).toEqual([]);
    relay.setLeader('lead', 1);
    expect(posted).toHaveLength(1);
  });

  it('skips relayed events it already has and catches up from the server when one is missing', async () => {
    const server = new FakeServer();
    const ids = ['a', 'b', 'c', 'd'].map((x) => server.publish('news', x).id); // e1..e4
    const relay = new TabRelay('me', () => undefined, server, catchUp);
    relay.setLeader('lead', 1);
    const { calls, sink } = recordingSink();
    relay.openStream({ url: '/api/events/news', topic: 'news', cursor: ids[0], headers: {} }, sink);
    relay.receive({ t: 's-attached', epoch: 1, to: 'me', sub: '1', uid: 'u', open: true, position: ids[0] });
    relay.receive({ t: 's-event', epoch: 1, uid: 'u', prev: ids[0], event: event(ids[1]) });
    // e2 again (a replay): dropped
    relay.receive({ t: 's-event', epoch: 1, uid: 'u', prev: ids[0], event: event(ids[1]) });
    // e3 never arrived: e4 does not follow e2
    relay.receive({ t: 's-event', epoch: 1, uid: 'u', prev: ids[2], event: event(ids[3]) });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const e5 = server.publish('news', 'e').id;
    relay.receive({ t: 's-event', epoch: 1, uid: 'u', prev: ids[3], event: event(e5) });
    expect(calls).toEqual(['opened', 'event e2', 'event e3', 'event e4', 'event e5']);
  });

});

describe('sharing keys', () => {
  const jwt = (sub: string, n: number) => `h.${btoa(JSON.stringify({ sub, n })).replace(/=+$/, '')}.s`;

  it('lets tabs of one user share a socket across token refreshes, never tabs of different users', () => {
    expect(socketKey(`ws://x/api/chat?name=a&access_token=${jwt('ada', 1)}`)).toBe(socketKey(`ws://x/api/chat?name=a&access_token=${jwt('ada', 2)}`));
    expect(socketKey(`ws://x/api/chat?access_token=${jwt('ada', 1)}`)).not.toBe(socketKey(`ws://x/api/chat?access_token=${jwt('bob', 1)}`));
    expect(socketKey('ws://x/api/chat?name=ada')).toBe('ws://x/api/chat?name=ada ');
  });

  it('keys streams and polls by URL and user', () => {
    expect(requestKey('/api/events/news', { Authorization: `Bearer ${jwt('ada', 1)}` })).toBe(
      requestKey('/api/events/news', { authorization: `Bearer ${jwt('ada', 2)}` }),
    );
    expect(requestKey('/api/events/news', { Authorization: `Bearer ${jwt('ada', 1)}` })).not.toBe(
      requestKey('/api/events/news', { Authorization: `Bearer ${jwt('bob', 1)}` }),
    );
    expect(requestKey('/api/events/news', { Authorization: 'Bearer opaque-1' })).not.toBe(
      requestKey('/api/events/news', { Authorization: 'Bearer opaque-2' }),
    );
  });
});
