import { TestBed } from '@angular/core/testing';
import {
  ChatService,
  LongPollService,
  NotificationService,
  withAuthToken,
  withReconnect,
  type AuthTokenFn,
  type ConnectionStatus,
} from 'ngx-realtime-signals';
import { provideRealtimeTesting, RealtimeTestingController } from 'ngx-realtime-signals/testing';

/** One failing token function, three transports: every service must report the same error. */
describe('a failing auth token function', () => {
  function connectAll(authToken: AuthTokenFn): ConnectionStatus[] {
    TestBed.configureTestingModule({
      // a long backoff keeps each service waiting in `reconnecting` with the error it got
      providers: [provideRealtimeTesting(withAuthToken(authToken), withReconnect({ initialDelayMs: 60_000, maxDelayMs: 60_000 }))],
    });
    const notes = TestBed.inject(NotificationService);
    const chat = TestBed.inject(ChatService);
    notes.connect('alerts');
    chat.connect({ name: 'ada' });
    const feed = TestBed.inject(LongPollService).watch('orders');
    return [notes, feed, chat];
  }

  async function reconnecting(services: ConnectionStatus[]): Promise<void> {
    for (let i = 0; i < 100 && services.some((s) => s.state() !== 'reconnecting'); i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(services.map((s) => s.state())).toEqual(['reconnecting', 'reconnecting', 'reconnecting']);
  }

  const expected = { code: 'auth_token_failed', message: 'The auth token function failed: refresh failed', retryable: true };

  it('gives SSE, long polling and chat one and the same error when it rejects', async () => {
    const services = connectAll(() => Promise.reject(new Error('refresh failed')));
    await reconnecting(services);
    expect(services.map((s) => s.lastError())).toEqual([expected, expected, expected]);
    TestBed.inject(RealtimeTestingController).expectNone(() => true);
  });

  it('gives the same error when it throws', async () => {
    const services = connectAll(() => {
      throw new Error('refresh failed');
    });
    await reconnecting(services);
    expect(services.map((s) => s.lastError())).toEqual([expected, expected, expected]);
  });
});
