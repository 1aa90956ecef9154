import { TestBed } from '@angular/core/testing';
import { LongPollService, NotificationService, withAuthToken, withBaseUrl } from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';

/** provideRealtimeTesting accepts every form provideRealtime does. */
describe('provideRealtimeTesting', () => {
  function start(providers: ReturnType<typeof provideRealtimeTesting>) {
    TestBed.configureTestingModule({ providers: [providers] });
    return TestBed.inject(RealtimeTestingController);
  }

  it('takes one options object', async () => {
    const realtime = start(provideRealtimeTesting({ baseUrl: '/rt' }));
    TestBed.inject(NotificationService).connect('news');

    expect((await realtime.expectNext({ transport: 'sse', topic: 'news' })).request.url).toBe('/rt/events/news');
  });

  it('takes features', async () => {
    const realtime = start(provideRealtimeTesting(withBaseUrl('/feeds'), withAuthToken(() => 'secret')));
    TestBed.inject(NotificationService).connect('news');

    const stream = await realtime.expectNext({ transport: 'sse', topic: 'news' });
    expect(stream.request.url).toBe('/feeds/events/news');
    expect(stream.request.headers['Authorization']).toBe('Bearer secret');
  });

  it('takes an options object followed by features, the features winning', async () => {
    const realtime = start(provideRealtimeTesting({ baseUrl: '/rt', authToken: () => 'from-options' }, withBaseUrl('/later')));
    const feed = TestBed.inject(LongPollService).watch('orders');

    const poll = await realtime.expectNext({ transport: 'poll', topic: 'orders' });
    expect(poll.request.url).toBe('/later/poll/orders');
    expect(poll.request.headers['Authorization']).toBe('Bearer from-options');
    feed.stop();
  });

  it('takes nothing at all', async () => {
    const realtime = start(provideRealtimeTesting());
    TestBed.inject(NotificationService).connect('news');

    expect((await realtime.expectNext({ transport: 'sse', topic: 'news' })).request.url).toBe('/api/events/news');
  });
});
