import { ChatClient } from '../core/chat/chat-client';
import { chatAttempt } from '../core/chat/chat-attempt';
import { Connection } from '../core/connection';
import { EventCursor } from '../core/event-cursor';
import { ReconnectPolicy } from '../core/reconnect-policy';
import { TabSharingSession, type TabSharingRole } from './tab-sharing-session';
import { FakeBrowser, FakeServer, settle } from './spec-support/fake-tabs';

const policy = () => new ReconnectPolicy({ initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 10_000 });

interface Tab {
  name: string;
  session: TabSharingSession;
  roles: TabSharingRole[];
}

function openTab(browser: FakeBrowser, server: FakeServer, name: string): Tab {
  const roles: TabSharingRole[] = [];
  const session = new TabSharingSession(browser.environment(name), 'rt', server, (role) => roles.push(role), undefined, name);
  session.start();
  return { name, session, roles };
}

function readStream(tab: Tab, topic: string, from: string | null = null) {
  const cursor = new EventCursor(from, 100_000);
  const ids: string[] = [];
  const connection = new Connection(
    (ctx) =>
      tab.session.openStream(
        { url: `/api/events/${topic}`, topic, cursor: cursor.cursor, headers: {} },
        {
          opened: () => ctx.opened(),
          activity: () => ctx.activity(),
          retryHint: () => undefined,
          closed: (error) => ctx.closed(error),
          event: (event) => {
            if (cursor.accept(event)) ids.push(event.id);
          },
          reset: (c) => cursor.reset(c, 0),
          position: (c) => cursor.moveTo(c),
        },
      ),
    { policy: policy(), environment: {} },
  );
  connection.start();
  return { ids, connection, cursor };
}

function readPoll(tab: Tab, topic: string) {
  const cursor = new EventCursor(null, 100_000);
  const ids: string[] = [];
  const connection = new Connection(
    (ctx) => {
      const controller = new AbortController();
      let active = true;
      let first = true;
      const loop = async () => {
        while (active) {
          const response = await tab.session.poll({
            url: `/api/poll/${topic}`,
            topic,
            cursor: cursor.cursor,
            timeoutMs: first ? 0 : 200,
            limit: 100,
            headers: {},
            signal: controller.signal,
          });
          if (!active) return;
          if (first) ctx.opened();
          first = false;
          if (response.reset) cursor.reset(response.cursor, 0);
          for (const event of response.events) if (cursor.accept(event)) ids.push(event.id);
          cursor.moveTo(response.cursor);
        }
      };
      loop().catch((error) => active && ctx.closed(error));
      return () => {
        active = false;
        controller.abort();
      };
    },
    { policy: policy(), environment: {} },
  );
  connection.start();
  return { ids, connection };
}

function chat(tab: Tab, user = 'ada') {
  const client = new ChatClient({ messageBufferSize: 1000 });
  const connection = new Connection(
    chatAttempt(client, {
      token: null,
      socketUrl: () => `ws://example.test/api/chat?name=${user}`,
      openSocket: (req, sink) => tab.session.openSocket(req, sink),
    }),
    { policy: policy(), environment: {} },
  );
  connection.start();
  return { client, connection };
}

async function until(condition: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await settle(2);
  }
}

describe('TabSharingSession', () => {
  let browser: FakeBrowser;
  let server: FakeServer;
  const tabs: Tab[] = [];
  const connections: Connection[] = [];

  beforeEach(() => {
    browser = new FakeBrowser();
    server = new FakeServer();
  });

  afterEach(async () => {
    for (const c of connections.splice(0)) c.stop();
    for (const tab of tabs.splice(0)) tab.session.stop();
    await settle();
  });

  function tab(name: string): Tab {
    const t = openTab(browser, server, name);
    tabs.push(t);
    return t;
  }

  function leaders(): string[] {
    return tabs.filter((t) => t.session.role === 'leader').map((t) => t.name);
  }

  it('elects exactly one leader when two tabs start at the same instant', async () => {
    const a = tab('a');
    const b = tab('b');
    await settle();
    expect(leaders()).toEqual(['a']);
    expect(a.roles).toEqual(['follower', 'leader']);
    expect(b.roles).toEqual(['follower']);
    expect(browser.holder('rt:leader')).toBe('a');
  });

  it('opens one real stream for every tab and gives each tab every event once, in order', async () => {
    const readers = ['a', 'b', 'c'].map((name) => readStream(tab(name), 'news'));
    connections.push(...readers.map((r) => r.connection));
    await until(() => readers.every((r) => r.connection.snapshot().state === 'open'), 'all open');
    const published = Array.from({ length: 20 }, (_, i) => server.publish('news', i).id);
    await until(() => readers.every((r) => r.ids.length === 20), 'all events');
    for (const reader of readers) expect(reader.ids).toEqual(published);
    expect(server.connections.sse).toBe(1);
  });

  it('hands over to the next tab when the leader crashes, losing and repeating nothing', async () => {
    const a = tab('a');
    const readers = [readStream(a, 'news'), readStream(tab('b'), 'news'), readStream(tab('c'), 'news')];
    connections.push(...readers.map((r) => r.connection));
    await until(() => readers.every((r) => r.connection.snapshot().state === 'open'), 'all open');
    const published: string[] = [];
    for (let i = 0; i < 200; i++) {
      published.push(server.publish('news', i).id);
      if (i === 60) {
        readers[0].connection.stop();
        browser.crash('a');
        tabs.splice(tabs.indexOf(a), 1);
        a.session.stop();
      }
      if (i % 10 === 0) await settle(1);
    }
    await until(() => readers.slice(1).every((r) => r.ids.length === 200), 'every event in the surviving tabs');
    for (const reader of readers.slice(1)) expect(reader.ids).toEqual(published);
    expect(leaders()).toEqual(['b']);
    await until(() => server.connections.sse === 1, 'one stream again');
  });

  it('lets a tab that starts behind catch up by its cursor', async () => {
    const first = readStream(tab('a'), 'news');
    connections.push(first.connection);
    await until(() => first.connection.snapshot().state === 'open', 'open');
    const published = Array.from({ length: 30 }, (_, i) => server.publish('news', i).id);
    await until(() => first.ids.length === 30, 'leader has them');
    const late = readStream(tab('b'), 'news', published[4]);
    connections.push(late.connection);
    published.push(server.publish('news', 'after').id);
    await until(() => late.ids.length === 26 && first.ids.length === 31, 'caught up').catch((e) => {
      throw new Error(`${e}: ${late.ids.join()} / ${first.ids.length} ${late.connection.snapshot().state}`);
    });
    expect(late.ids).toEqual(published.slice(5));
    expect(server.connections.sse).toBe(1);
  });

  it('answers every tab’s long polls from one shared poll', async () => {
    const readers = ['a', 'b', 'c'].map((name) => readPoll(tab(name), 'orders'));
    connections.push(...readers.map((r) => r.connection));
    await until(() => readers.every((r) => r.connection.snapshot().state === 'open'), 'all open');
    const published: string[] = [];
    for (let i = 0; i < 50; i++) {
      published.push(server.publish('orders', i).id);
      if (i % 7 === 0) await settle(2);
      expect(server.connections.poll).toBeLessThanOrEqual(1);
    }
    await until(() => readers.every((r) => r.ids.length === 50), 'all events');
    for (const reader of readers) expect(reader.ids).toEqual(published);
  });

  it('sends a follower’s chat messages through the leader’s one socket, each once', async () => {
    const a = chat(tab('a'));
    const b = chat(tab('b'));
    connections.push(a.connection, b.connection);
    a.client.join('general');
    b.client.join('general');
    await until(() => a.client.room('general')?.joined === true && b.client.room('general')?.joined === true, 'joined');
    b.client.send('general', 'from b');
    a.client.send('general', 'from a');
    await until(() => server.messages('general').length === 2, 'both stored');
    await until(() => [a, b].every((t) => t.client.room('general')!.log.messages().filter((m) => m.status === 'sent').length === 2), 'both shown');
    const stored = server.messages('general').map((e) => (e.data as { text: string }).text);
    expect(stored.sort()).toEqual(['from a', 'from b']);
    for (const t of [a, b]) expect(t.client.room('general')!.log.messages().map((m) => m.text)).toEqual(server.messages('general').map((e) => (e.data as { text: string }).text));
    expect(server.connections.ws).toBe(1);
  });

  it('delivers a follower’s message typed during a hand-over exactly once', async () => {
    const leader = tab('a');
    const a = chat(leader);
    const b = chat(tab('b'));
    const c = chat(tab('c'));
    connections.push(a.connection, b.connection, c.connection);
    for (const t of [a, b, c]) t.client.join('general');
    await until(() => [a, b, c].every((t) => t.client.room('general')?.joined === true), 'joined');
    a.connection.stop();
    browser.crash('a');
    tabs.splice(tabs.indexOf(leader), 1);
    leader.session.stop();
    c.client.send('general', 'during');
    await until(() => [b, c].every((t) => t.client.room('general')!.log.messages().some((m) => m.text === 'during' && m.id !== null)), 'delivered');
    expect(server.messages('general').map((e) => (e.data as { text: string }).text)).toEqual(['during']);
    for (const t of [b, c]) expect(t.client.room('general')!.log.messages().filter((m) => m.text === 'during')).toHaveLength(1);
    await until(() => server.connections.ws === 1, 'one socket again');
  });

  it('has the next leader send the unacknowledged chat sends of a leader that closes', async () => {
    const leader = tab('a');
    const a = chat(leader);
    const b = chat(tab('b'));
    connections.push(a.connection, b.connection);
    a.client.join('general');
    b.client.join('general');
    await until(() => [a, b].every((t) => t.client.room('general')?.joined === true), 'joined');
    server.dropAll(); // the shared socket is down: the leader's send cannot go out
    a.client.send('general', 'last words');
    const window = browser.pageEvents.get('a')!;
    const pagehide = Object.assign(new Event('pagehide'), { persisted: false });
    window.dispatchEvent(pagehide);
    await settle(4);
    a.connection.stop();
    browser.crash('a');
    tabs.splice(tabs.indexOf(leader), 1);
    leader.session.stop();
    await until(() => server.messages('general').length === 1, 'sent by the new leader');
    expect((server.messages('general')[0].data as { text: string }).text).toBe('last words');
  });
});
