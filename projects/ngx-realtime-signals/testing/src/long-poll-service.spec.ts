import { ApplicationRef } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { LongPollService, withReconnect } from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';

/** LongPollService's real poll loop (cursor, dedup, reset, backoff) driven through the testing entry point. */
describe('LongPollService through RealtimeTestingController', () => {
  let realtime: RealtimeTestingController;
  let longPoll: LongPollService;
  const settle = () => TestBed.inject(ApplicationRef).whenStable();

  beforeEach(() => {
    TestBed.configureTestingModule({ providers: [provideRealtimeTesting(withReconnect({ initialDelayMs: 0 }))] });
    realtime = TestBed.inject(RealtimeTestingController);
    longPoll = TestBed.inject(LongPollService);
  });

  it('polls from the cursor each answer gives and keeps events oldest first', async () => {
    const feed = longPoll.watch<{ status: string }>('orders', { timeoutMs: 20000, limit: 50 });
    const opening = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    opening.flush({ cursor: 'c0' });

    const held = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    held.flush({ events: [{ data: { status: 'paid' } }, { data: { status: 'shipped' } }] });
    const next = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    await settle();

    expect(opening.cursor).toBeNull();
    expect(held.cursor).toBe('c0');
    expect(held.request).toMatchObject({ url: '/api/poll/orders', timeoutMs: 20000, limit: 50 });
    expect(next.cursor).toBe(held.answer?.cursor);
    expect(feed.state()).toBe('open');
    expect(feed.events().map((e) => e.data.status)).toEqual(['paid', 'shipped']);
    expect(feed.latest()?.data.status).toBe('shipped');
    feed.stop();
    realtime.verify();
  });

  it('skips an event a later answer repeats', async () => {
    const feed = longPoll.watch('orders');
    (await realtime.expectNext({ transport: 'poll' })).flush({ events: [{ id: 'a' }] });
    (await realtime.expectNext({ transport: 'poll' })).flush({ events: [{ id: 'a' }, { id: 'b' }] });
    await realtime.expectNext({ transport: 'poll' });
    await settle();

    expect(feed.events().map((e) => e.id)).toEqual(['a', 'b']);
    feed.stop();
  });

  it('surfaces a reset answer as a gap and continues from the new head', async () => {
    const feed = longPoll.watch('orders', { cursor: 'old' });
    const first = await realtime.expectNext({ transport: 'poll' });
    first.reset('head-3');

    const next = await realtime.expectNext({ transport: 'poll' });
    await settle();

    expect(first.cursor).toBe('old');
    expect(next.cursor).toBe('head-3');
    expect(feed.gap()).toEqual({ cursor: 'head-3', at: expect.any(Number) });
    feed.stop();
  });

  it('retries a dropped poll from the same cursor', async () => {
    const feed = longPoll.watch('orders');
    (await realtime.expectNext({ transport: 'poll' })).flush({ cursor: 'c5' });
    const held = await realtime.expectNext({ transport: 'poll' });

    const retried = await held.reconnect();

    expect(retried.cursor).toBe('c5');
    feed.stop();
  });

  it('fails on 401 with the error as a value and polls no more', async () => {
    const feed = longPoll.watch('orders');

    (await realtime.expectNext({ transport: 'poll' })).fail(401);
    await settle();

    expect(feed.state()).toBe('failed');
    expect(feed.lastError()).toMatchObject({ code: 'http_error', status: 401, retryable: false });
    realtime.expectNone({ transport: 'poll' });
  });

  it('aborts the pending poll when the feed stops', async () => {
    const feed = longPoll.watch('orders');
    const poll = await realtime.expectNext({ transport: 'poll' });

    feed.stop();

    expect(poll.cancelled).toBe(true);
    expect(feed.state()).toBe('closed');
  });
});
