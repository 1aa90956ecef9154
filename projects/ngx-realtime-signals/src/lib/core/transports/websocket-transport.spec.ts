import { socketClosedError } from '../errors';
import { openWebSocket } from './websocket-transport';

describe('socketClosedError', () => {
  it('reports 4401 as an expired token, retried at once with a fresh one', () => {
    expect(socketClosedError(4401, 'token expired')).toEqual(
      expect.objectContaining({ code: 'token_expired', retryable: true, message: expect.stringContaining('4401 token expired') }),
    );
  });

  it('treats 1008 (policy violation) as final', () => {
    expect(socketClosedError(1008, '')).toEqual(expect.objectContaining({ code: 'socket_closed', retryable: false }));
  });

  it('retries every other close code', () => {
    for (const code of [1000, 1001, 1006, 1009, 1011, 4000]) expect(socketClosedError(code, '').retryable).toBe(true);
  });
});

describe('openWebSocket', () => {
  it('reports a missing WebSocket implementation as a final error, once', async () => {
    const closed = jest.fn();
    openWebSocket(undefined, { url: 'ws://localhost/api/chat' }, { opened: jest.fn(), message: jest.fn(), closed });
    await Promise.resolve();
    expect(closed).toHaveBeenCalledTimes(1);
    expect(closed).toHaveBeenCalledWith(expect.objectContaining({ code: 'unsupported', retryable: false }));
  });
});
