/**
 * A request for an HTTP chat connection that lives in another process: a posted client frame, or
 * a long poll for the connection's next frames. `user` is the caller's token `sub` (auth on), so
 * the process holding the connection can refuse another user's request.
 */
export type RelayedRequest =
  | { readonly kind: 'frame'; readonly connectionId: string; readonly user: string | null; readonly text: string }
  | {
      readonly kind: 'poll';
      readonly connectionId: string;
      readonly user: string | null;
      readonly after: number;
      readonly timeoutMs: number;
    };

/** What the holding process answered: the HTTP status, and the body (poll) or error code (refusal). */
export interface RelayedAnswer {
  readonly status: number;
  /** The poll answer's JSON text. */
  readonly body?: string;
  /** An error code of the HTTP error table (404 unknown_connection, 403 forbidden, ...). */
  readonly code?: string;
  readonly message?: string;
}

/**
 * Carries requests for HTTP chat connections between the processes of a deployment (the Redis log
 * offers one). A chat connection over SSE or long poll lives where its stream (or first poll) was
 * opened; its id names that process, so a POST or poll that a load balancer sends to any other
 * process is passed on to it and answered from there: no sticky sessions.
 */
export interface ChatRelay {
  /** This process's name inside the connection ids it issues (`[0-9a-f]{16}`). */
  readonly processId: string;
  /**
   * Takes the requests other processes send here; resolves once they can reach this process (or
   * once waiting longer would stall a client: the relay keeps trying in the background).
   * `gone` resolves when the requester no longer waits for the answer (its client went away).
   */
  serve(handler: (request: RelayedRequest, gone: Promise<void>) => Promise<RelayedAnswer>): Promise<void>;
  /**
   * Passes `request` to process `owner` and resolves with its answer; null when no process of that
   * name is listening (it ended or crashed), or when none answered within `holdMs` (how long the
   * owner may hold the request: a poll's timeout) plus the store's own deadline. Rejects with
   * LogUnavailableError when the shared store cannot be reached. Aborting `signal` tells the owner
   * that nobody waits any more.
   */
  request(owner: string, request: RelayedRequest, holdMs: number, signal?: AbortSignal): Promise<RelayedAnswer | null>;
}
