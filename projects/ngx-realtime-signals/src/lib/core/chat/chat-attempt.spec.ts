import type { AttemptContext } from '../connection';
import type { SocketSink } from '../transports/realtime-transports';
import { chatAttempt } from './chat-attempt';
import { ChatClient } from './chat-client';

function context(): AttemptContext & { closed: jest.Mock } {
  return { attempt: 0, opened: jest.fn(), closed: jest.fn(), retryHint: jest.fn(), activity: jest.fn() };
}

describe('chatAttempt', () => {
  const client = new ChatClient({ messageBufferSize: 10 });
  afterEach(() => client.dispose());

  it('asks for a fresh token on every attempt and puts it in the URL', async () => {
    let n = 0;
    const urls: string[] = [];
    const attempt = chatAttempt(client, {
      token: () => Promise.resolve(`t${++n}`),
      socketUrl: (token) => `ws://h/api/chat?access_token=${token}`,
      openSocket: (req) => {
        urls.push(req.url);
        return { send: () => undefined, close: () => undefined };
      },
    });
    attempt(context());
    await new Promise((resolve) => setTimeout(resolve));
    attempt(context());
    await new Promise((resolve) => setTimeout(resolve));
    expect(urls).toEqual(['ws://h/api/chat?access_token=t1', 'ws://h/api/chat?access_token=t2']);
  });

  it('opens no socket when torn down while the token is still coming', async () => {
    const openSocket = jest.fn();
    const teardown = chatAttempt(client, {
      token: () => new Promise((resolve) => setTimeout(() => resolve('late'), 5)),
      socketUrl: () => 'ws://h/api/chat',
      openSocket,
    })(context());
    teardown?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(openSocket).not.toHaveBeenCalled();
  });

  it('reports a failing token function as a retryable auth_token_failed error', async () => {
    const ctx = context();
    chatAttempt(client, {
      token: () => Promise.reject(new Error('refresh failed')),
      socketUrl: () => 'ws://h/api/chat',
      openSocket: (_req, _sink: SocketSink) => ({ send: () => undefined, close: () => undefined }),
    })(ctx);
    await new Promise((resolve) => setTimeout(resolve));
    expect(ctx.closed).toHaveBeenCalledWith(expect.objectContaining({ code: 'auth_token_failed', retryable: true }));
  });

  it('fails for good when the URL cannot be built', () => {
    const ctx = context();
    chatAttempt(client, {
      token: null,
      socketUrl: () => {
        throw new TypeError('Invalid URL');
      },
      openSocket: jest.fn(),
    })(ctx);
    expect(ctx.closed).toHaveBeenCalledWith(expect.objectContaining({ code: 'invalid_url', retryable: false }));
  });
});
