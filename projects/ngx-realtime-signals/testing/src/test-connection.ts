import type { RealtimeMatch } from './connection-match';
import type { EventIds } from './event-defaults';
import type { TestPoll } from './test-poll';
import type { TestSocket } from './test-socket';
import type { TestStream } from './test-stream';

/**
 * Any connection the client opened through the testing transports; `transport` tells which.
 *
 * @example
 * ```ts
 * const open = realtime.match((c: TestConnection) => c.active);
 * ```
 */
export type TestConnection = TestStream | TestPoll | TestSocket;

/** What a test connection needs from the transports that created it. */
export interface ConnectionHost {
  readonly ids: EventIds;
  expectNext(match: RealtimeMatch): Promise<TestConnection>;
  /** Called before the test delivers anything to the client, so `whenStable()` waits for its effects. */
  delivering(): void;
}

/** Who ended a connection, if anyone did. */
export type ConnectionEnd = 'client' | 'server' | null;

/** The life-cycle bookkeeping every test connection shares. */
export abstract class TestConnectionBase {
  /** Set once `expectOne`/`match` handed this connection to a test. */
  matched = false;
  private endedBy: ConnectionEnd = null;

  protected constructor(protected readonly host: ConnectionHost) {}

  /** The client closed (or aborted) this connection. */
  get cancelled(): boolean {
    return this.endedBy === 'client';
  }

  /** Neither side has ended the connection yet. */
  get active(): boolean {
    return this.endedBy === null;
  }

  /** One line for failure messages, e.g. `sse /api/events/news (topic 'news', cursor none, open)`. */
  abstract describe(): string;

  protected abstract lifeCycle(): string;

  protected endedByLabel(): string {
    return this.endedBy === 'client' ? 'closed by the client' : 'ended by the test';
  }

  protected get ended(): 'client' | 'server' | null {
    return this.endedBy;
  }

  /** Called by the transport when the client tears the connection down. */
  clientClosed(): void {
    if (this.endedBy === null) this.endedBy = 'client';
  }

  protected serverEnded(): void {
    this.endedBy = 'server';
  }

  protected assertActive(action: string): void {
    if (this.endedBy !== null) {
      throw new Error(`Cannot ${action}: ${this.describe()} was already ${this.endedByLabel()}.`);
    }
  }
}

export function formatCursor(cursor: string | null): string {
  return cursor === null ? 'cursor none' : `cursor '${cursor}'`;
}
