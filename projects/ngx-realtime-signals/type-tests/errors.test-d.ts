/** RealtimeError.code is a closed, finite vocabulary. */
import type { RealtimeError, RealtimeErrorCode } from 'ngx-realtime-signals';
import { expectType } from './type-assert';

declare const error: RealtimeError;
expectType<RealtimeErrorCode>()(error.code);

// finite: an app can name every code (a missing or an extra key fails to compile)
const text: Record<RealtimeErrorCode, string> = {
  network: 'No connection',
  offline: 'You are offline',
  http_error: 'The server refused',
  token_expired: 'Signing in again',
  auth_token_failed: 'Could not get a token',
  bad_content_type: 'Not an event stream',
  stream_ended: 'The stream ended',
  protocol: 'Unexpected answer',
  parse_failed: 'Unreadable event',
  heartbeat_timeout: 'The connection went silent',
  socket_closed: 'The chat connection closed',
  join_refused: 'Could not join the room',
  invalid_url: 'Bad address',
  unsupported: 'Not supported here',
  aborted: 'Cancelled',
};

// exhaustive: every case handled leaves nothing for `never`
export function label(e: RealtimeError): string {
  switch (e.code) {
    case 'http_error':
      return `${text[e.code]} (${e.status ?? '?'}${e.serverCode ? `, ${e.serverCode}` : ''})`;
    case 'network':
    case 'offline':
    case 'token_expired':
    case 'auth_token_failed':
    case 'bad_content_type':
    case 'stream_ended':
    case 'protocol':
    case 'parse_failed':
    case 'heartbeat_timeout':
    case 'socket_closed':
    case 'join_refused':
    case 'invalid_url':
    case 'unsupported':
    case 'aborted':
      return text[e.code];
    default: {
      const unreachable: never = e.code;
      return unreachable;
    }
  }
}

// @ts-expect-error an HTTP status is not a code of its own: http_error with `status`
const perStatus: RealtimeErrorCode = 'http_401';
// @ts-expect-error the server's own codes go in `serverCode`, not `code`
const serverOwn: RealtimeError = { code: 'unauthorized', message: 'no', retryable: false };
const refused: RealtimeError = { code: 'http_error', message: 'no', status: 401, serverCode: 'unauthorized', retryable: false };
void perStatus;
void serverOwn;
void refused;
