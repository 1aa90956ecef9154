import { ChatTestClient } from './support/chat-client';
import { startChatServer, type ChatTestServer } from './support/chat-server';

// Socket round trips on a loaded machine: leave room above the waits in support/chat-client.ts.
jest.setTimeout(30_000);

/** Reads an SSE response until `done(text so far)` holds, then cancels it. */
async function readSse(response: Response, done: (text: string) => boolean): Promise<string> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    while (!done(text)) {
      const { value, done: ended } = await reader.read();
      if (ended) break;
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    await reader.cancel();
  }
  return text;
}

describe('chat rooms are chat:<room> topics shared with the other transports', () => {
  let server: ChatTestServer;
  const clients: ChatTestClient[] = [];
  const connect = async (name: string): Promise<ChatTestClient> => {
    const client = await ChatTestClient.connect(`${server.wsUrl}?name=${name}`);
    clients.push(client);
    return client;
  };

  beforeEach(async () => {
    server = await startChatServer();
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
    await server.close();
  });

  it('shows a chat message to a long-poll reader of chat:<room> with the same id', async () => {
    const topic = encodeURIComponent('chat:lobby');
    const head = (await (await fetch(`${server.url}/api/poll/${topic}?timeout=0`)).json()) as { cursor: string };
    const ada = await connect('ada');
    await ada.join('lobby');
    const ack = await ada.say('lobby', 'c-1', 'hello pollers');
    const response = await fetch(`${server.url}/api/poll/${topic}?cursor=${encodeURIComponent(head.cursor)}&timeout=5000`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { events: unknown[]; cursor: string };
    expect(body.events).toEqual([
      { id: ack.id, topic: 'chat:lobby', type: 'message', data: { text: 'hello pollers', from: 'ada', clientId: 'c-1' }, ts: expect.any(Number) },
    ]);
    expect(body.cursor).toBe(ack.id);
  });

  it('streams a chat message to an SSE reader of chat:<room>', async () => {
    const stream = new AbortController();
    const response = await fetch(`${server.url}/api/events/${encodeURIComponent('chat:lobby')}`, { signal: stream.signal });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const ada = await connect('ada');
    await ada.join('lobby');
    const ack = await ada.say('lobby', 'c-1', 'hello streams');
    const text = await readSse(response, (so) => so.includes(`id: ${ack.id}\n`) && so.endsWith('\n\n'));
    stream.abort();
    const block = text.split('\n\n').find((chunk) => chunk.includes(`id: ${ack.id}`))!;
    expect(block).toContain('event: message');
    const data = JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6));
    expect(data).toMatchObject({ id: ack.id, topic: 'chat:lobby', data: { text: 'hello streams', from: 'ada' } });
  });

  it('delivers an HTTP publish to chat:<room> to every WebSocket member', async () => {
    const ada = await connect('ada');
    const bob = await connect('bob');
    await ada.join('lobby');
    await bob.join('lobby');
    const response = await fetch(`${server.url}/api/topics/${encodeURIComponent('chat:lobby')}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'announcement', data: { text: 'maintenance at noon' } }),
    });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    for (const client of [ada, bob]) {
      expect(await client.next('message')).toEqual({
        type: 'message',
        room: 'lobby',
        event: { id, topic: 'chat:lobby', type: 'announcement', data: { text: 'maintenance at noon' }, ts: expect.any(Number) },
      });
    }
    // It is part of the room's history for later joiners too.
    const carol = await connect('carol');
    expect((await carol.join('lobby')).history.map((event: { id: string }) => event.id)).toEqual([id]);
  });

  it('reports chat deliveries, publishes and resumes in /metrics', async () => {
    const ada = await connect('ada');
    const bob = await connect('bob');
    await ada.join('lobby');
    await bob.join('lobby');
    const ack = await ada.say('lobby', 'c-1', 'counted');
    await bob.next('message');
    await ada.next('message');
    const carol = await connect('carol');
    await carol.join('lobby', ack.id);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/^realtime_connections\{transport="websocket"\} 3$/m);
    expect(text).toMatch(/^realtime_events_published_total 1$/m);
    expect(text).toMatch(/^realtime_events_delivered_total\{transport="websocket"\} 2$/m);
    expect(text).toMatch(/^realtime_reconnects_total\{transport="websocket"\} 1$/m);
  });
});
