import { inject, Injectable } from '@angular/core';
import { describeMatcher, matches, type RealtimeMatch, type RealtimeMatcher } from './connection-match';
import type { TestConnection } from './test-connection';
import type { TestPoll } from './test-poll';
import type { TestSocket } from './test-socket';
import type { TestStream } from './test-stream';
import { TestingRealtimeTransports } from './testing-transports';

/**
 * The handle type `expectOne`/`match` return for a criterion.
 *
 * @example
 * ```ts
 * const stream: TestConnectionFor<{ transport: 'sse' }> = realtime.expectOne({ transport: 'sse' }); // a TestStream
 * ```
 */
export type TestConnectionFor<M extends RealtimeMatcher> = M extends { transport: 'sse' }
  ? TestStream
  : M extends { transport: 'poll' }
    ? TestPoll
    : M extends { transport: 'chat' }
      ? TestSocket
      : TestConnection;

/**
 * Drives the connections the real services open, in the style of Angular's
 * `HttpTestingController`: claim a connection with `expectOne`, play the server
 * through its handle, and `verify()` that nothing went unnoticed.
 *
 * @example
 * ```ts
 * TestBed.configureTestingModule({ providers: [provideRealtimeTesting()] });
 * const realtime = TestBed.inject(RealtimeTestingController);
 * TestBed.inject(NotificationService).connect('alerts');
 *
 * const stream = realtime.expectOne({ transport: 'sse', topic: 'alerts' });
 * stream.event({ type: 'disk', data: { free: '2%' } });
 * realtime.verify();
 * ```
 */
@Injectable()
export class RealtimeTestingController {
  private readonly transports = inject(TestingRealtimeTransports);

  /**
   * Claims the one unclaimed connection that matches; throws (naming what is open)
   * when there is none or more than one.
   */
  expectOne<M extends RealtimeMatcher>(match: M, description?: string): TestConnectionFor<M> {
    const found = this.candidates(match);
    if (found.length !== 1) {
      const expected = description ?? describeMatcher(match);
      const what = found.length === 0 ? 'found none' : `found ${found.length}`;
      throw new Error(`Expected one ${stripArticle(expected)}, ${what}.${this.listOpen()}`);
    }
    found[0].matched = true;
    return found[0] as TestConnectionFor<M>;
  }

  /** Throws when an unclaimed connection matches. */
  expectNone(match: RealtimeMatcher, description?: string): void {
    const found = this.candidates(match);
    if (found.length > 0) {
      const expected = description ?? describeMatcher(match);
      throw new Error(`Expected no ${stripArticle(expected)}, found ${found.length}.${this.listOpen()}`);
    }
  }

  /** Claims every unclaimed connection that matches (possibly none), oldest first. */
  match<M extends RealtimeMatcher>(match: M): TestConnectionFor<M>[] {
    const found = this.candidates(match);
    for (const connection of found) connection.matched = true;
    return found as TestConnectionFor<M>[];
  }

  /**
   * Resolves with the next matching connection: an unclaimed one already open, or the
   * next one the client opens (e.g. after a backoff delay or a poll answer).
   */
  expectNext<M extends RealtimeMatch>(match: M): Promise<TestConnectionFor<M>> {
    return this.transports.expectNext(match) as Promise<TestConnectionFor<M>>;
  }

  /**
   * Throws when a connection was opened that no expectation claimed. Connections the
   * client already closed are ignored unless `ignoreCancelled` is false.
   */
  verify(options: { ignoreCancelled?: boolean } = {}): void {
    const ignoreCancelled = options.ignoreCancelled ?? true;
    const unclaimed = this.transports.unmatched().filter((c) => !(ignoreCancelled && c.cancelled));
    if (unclaimed.length > 0) {
      const list = unclaimed.map((c) => `\n  ${c.describe()}`).join('');
      throw new Error(`Expected no unclaimed realtime connections, found ${unclaimed.length}:${list}`);
    }
  }

  private candidates(match: RealtimeMatcher): TestConnection[] {
    return this.transports.unmatched().filter((c) => matches(c, match));
  }

  private listOpen(): string {
    const unclaimed = this.transports.unmatched();
    if (unclaimed.length === 0) return ' No unclaimed connections.';
    return ` Unclaimed connections:${unclaimed.map((c) => `\n  ${c.describe()}`).join('')}`;
  }
}

function stripArticle(text: string): string {
  return text.replace(/^(a|an) /, '');
}
