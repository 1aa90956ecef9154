/** The counters a chat server reports; chat.ts maps them onto the shared Prometheus registry. */
export interface ChatMetrics {
  /** `count` message frames (live or history) written to sockets. */
  delivered(count: number): void;
  /** A send appended a new message to the log. */
  published(): void;
  /** A join that resumed from a `since` cursor. */
  resumed(): void;
  dropped(reason: ChatDropReason): void;
}

export type ChatDropReason = 'slow_consumer' | 'heartbeat' | 'rate_limit' | 'payload_too_large' | 'token_expired' | 'log_reset';
