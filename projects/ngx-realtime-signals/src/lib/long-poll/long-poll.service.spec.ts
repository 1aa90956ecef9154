import { Component, PLATFORM_ID, inject, type EnvironmentProviders } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { SIGNAL } from '@angular/core/primitives/signals';
import { LongPollService, withBuffers, withReconnect, type LongPollFeed, type RealtimeEvent, type RealtimeFeature, type RealtimeOptions } from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';

const writes = (fn: unknown) => (fn as { [SIGNAL]: { version: number } })[SIGNAL].version;
const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

function setup(...args: (RealtimeOptions | RealtimeFeature)[]) {
  const provide = provideRealtimeTesting as (...a: (RealtimeOptions | RealtimeFeature)[]) => EnvironmentProviders;
  TestBed.configureTestingModule({ providers: [provide(...args)] });
  return { service: TestBed.inject(LongPollService), realtime: TestBed.inject(RealtimeTestingController) };
}

function record<T>(feed: LongPollFeed<T>) {
  const seen: RealtimeEvent<T>[] = [];
  feed.events$.subscribe((e) => seen.push(e));
  return seen;
}

describe('LongPollService', () => {
  it('asks without waiting first, then holds polls with the cursor it was given', async () => {
    const { service, realtime } = setup({ baseUrl: '/rt' });
    const feed = service.watch('orders', { timeoutMs: 20000, limit: 50 });
    expect(feed.state()).toBe('connecting');
    const first = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    expect(first.request).toMatchObject({ url: '/rt/poll/orders', cursor: null, timeoutMs: 0, limit: 50 });
    first.flush({ cursor: 'h-1' });
    const second = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    expect(feed.state()).toBe('open');
    expect(second.request).toMatchObject({ cursor: 'h-1', timeoutMs: 20000 });
    feed.stop();
  });

  it('keeps events oldest first, exposes the latest and emits each once in order', async () => {
    const { service, realtime } = setup();
    const feed = service.watch<{ n: number }>('orders', { cursor: 'c0' });
    const seen = record(feed);
    const first = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    expect(first.cursor).toBe('c0');
    first.flush({ events: [{ id: 'c1', data: { n: 1 } }, { id: 'c2', data: { n: 2 } }] });
    const second = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    expect(second.cursor).toBe('c2');
    second.flush({ events: [{ id: 'c2', data: { n: 2 } }, { id: 'c3', data: { n: 3 } }] });
    await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    expect(feed.events().map((e) => e.id)).toEqual(['c1', 'c2', 'c3']);
    expect(feed.latest()?.data).toEqual({ n: 3 });
    expect(seen.map((e) => e.id)).toEqual(['c1', 'c2', 'c3']);
    expect(feed.cursor()).toBe('c3');
    feed.stop();
  });

  it('applies an answer of 1,000 events as one signal update', async () => {
    const { service, realtime } = setup(withBuffers({ events: 5000 }));
    const feed = service.watch('bulk', { cursor: 'z' });
    const seen = record(feed);
    const poll = await realtime.expectNext({ transport: 'poll', topic: 'bulk' });
    const before = writes(feed.events);
    poll.flush({ events: Array.from({ length: 1000 }, (_, i) => ({ id: `b${i}` })) });
    await realtime.expectNext({ transport: 'poll', topic: 'bulk' });
    await settle();
    expect(feed.events()).toHaveLength(1000);
    expect(writes(feed.events) - before).toBe(1);
    expect(seen).toHaveLength(1000);
    feed.stop();
  });

  it('bounds the events signal by bufferSize', async () => {
    const { service, realtime } = setup();
    const feed = service.watch('t', { cursor: 'x', bufferSize: 2 });
    const poll = await realtime.expectNext({ transport: 'poll', topic: 't' });
    poll.flush({ events: [{ id: '1' }, { id: '2' }, { id: '3' }] });
    await realtime.expectNext({ transport: 'poll', topic: 't' });
    await settle();
    expect(feed.events().map((e) => e.id)).toEqual(['2', '3']);
    feed.stop();
  });

  it('sets the gap signal on a reset answer and continues from the head', async () => {
    const { service, realtime } = setup();
    const feed = service.watch('t', { cursor: 'ancient' });
    const poll = await realtime.expectNext({ transport: 'poll', topic: 't' });
    poll.reset('head-9');
    const next = await realtime.expectNext({ transport: 'poll', topic: 't' });
    await settle();
    expect(feed.gap()).toEqual({ cursor: 'head-9', at: expect.any(Number) });
    expect(next.cursor).toBe('head-9');
    feed.stop();
  });

  it('retries a failed poll from the same cursor and stops on 403', async () => {
    const { service, realtime } = setup(withReconnect({ initialDelayMs: 0 }));
    const feed = service.watch('t', { cursor: 'c5' });
    const poll = await realtime.expectNext({ transport: 'poll', topic: 't' });
    const retry = await poll.reconnect();
    expect(retry.cursor).toBe('c5');
    expect(feed.lastError()).toMatchObject({ code: 'network' });
    retry.fail(403);
    await settle();
    expect(feed.state()).toBe('failed');
    realtime.expectNone({ transport: 'poll' });
  });

  it('stop closes the feed, aborts the poll and completes events$', async () => {
    const { service, realtime } = setup();
    const feed = service.watch('t');
    let completed = false;
    feed.events$.subscribe({ complete: () => (completed = true) });
    const poll = await realtime.expectNext({ transport: 'poll', topic: 't' });
    feed.stop();
    expect(feed.state()).toBe('closed');
    expect(poll.cancelled).toBe(true);
    expect(completed).toBe(true);
  });

  it('stops with the component that watched', async () => {
    @Component({ selector: 'app-watcher', template: '' })
    class Watcher {
      readonly feed = inject(LongPollService).watch('t');
    }
    const { realtime } = setup();
    const fixture = TestBed.createComponent(Watcher);
    const poll = await realtime.expectNext({ transport: 'poll', topic: 't' });
    fixture.destroy();
    expect(fixture.componentInstance.feed.state()).toBe('closed');
    expect(poll.cancelled).toBe(true);
  });

  it('stops every feed when the injector is destroyed', async () => {
    const { service, realtime } = setup();
    const feed = service.watch('t');
    const poll = await realtime.expectNext({ transport: 'poll', topic: 't' });
    TestBed.resetTestingModule();
    expect(feed.state()).toBe('closed');
    expect(poll.cancelled).toBe(true);
  });

  it('stays idle and polls nothing on the server platform', async () => {
    TestBed.configureTestingModule({ providers: [provideRealtimeTesting(), { provide: PLATFORM_ID, useValue: 'server' }] });
    const feed = TestBed.inject(LongPollService).watch('t');
    await settle();
    expect(feed.state()).toBe('idle');
    TestBed.inject(RealtimeTestingController).expectNone({ transport: 'poll' });
  });
});
