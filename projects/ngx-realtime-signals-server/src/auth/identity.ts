/** Who a verified token speaks for. */
export interface Identity {
  /** The token's `sub`: the user name on chat, the owner of topic `user:<sub>`. */
  readonly sub: string;
  /** The token's `exp` in ms since the epoch; streams and sockets end here. */
  readonly expiresAtMs: number;
  /** Space-separated `scope` claim, split. */
  readonly scopes: ReadonlySet<string>;
}

/** The scope that lets a token publish to topics other than its own `user:<sub>`. */
export const PUBLISH_SCOPE = 'publish';

/** Why a token was refused; `code` is the HTTP error code sent to the client. */
export class AuthFailure extends Error {
  constructor(
    readonly code: 'unauthorized' | 'token_expired',
    /** Label of realtime_auth_failures_total. */
    readonly reason: 'missing' | 'invalid' | 'expired',
    message: string,
  ) {
    super(message);
    this.name = 'AuthFailure';
  }
}

/**
 * A long-lived connection (SSE stream, chat socket) needs a token that is
 * still valid by this server's clock: the clock tolerance helps a single
 * request, but a stream would end the moment it opened.
 */
export function assertUnexpired(identity: Identity, now = Date.now()): void {
  if (identity.expiresAtMs <= now) throw new AuthFailure('token_expired', 'expired', 'The token has expired; get a fresh one.');
}
