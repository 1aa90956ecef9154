import { inject, Injectable, PendingTasks } from '@angular/core';
import {
  type ɵPollRequest as PollRequest,
  type ɵPollResponse as PollResponse,
  type RealtimeError,
  ɵRealtimeTransports as RealtimeTransports,
  type ɵSocketHandle as SocketHandle,
  type ɵSocketRequest as SocketRequest,
  type ɵSocketSink as SocketSink,
  type ɵStreamRequest as StreamRequest,
  type ɵStreamSink as StreamSink,
} from 'ngx-realtime-signals';
import { matches, type RealtimeMatch } from './connection-match';
import { EventIds } from './event-defaults';
import type { ConnectionHost, TestConnection } from './test-connection';
import { TestPoll } from './test-poll';
import type { ChatFrame } from './sent-frame-match';
import { TestSocket } from './test-socket';
import { TestStream } from './test-stream';

interface Waiter {
  match: RealtimeMatch;
  resolve(connection: TestConnection): void;
}

/**
 * The transports `provideRealtimeTesting()` installs: nothing goes over the network;
 * every connection the services open is recorded for `RealtimeTestingController`.
 * Tests use the controller; this class is public for custom tooling on top of it.
 *
 * @example
 * ```ts
 * const all = TestBed.inject(TestingRealtimeTransports).connections; // every connection, oldest first
 * ```
 */
@Injectable()
export class TestingRealtimeTransports extends RealtimeTransports implements ConnectionHost {
  readonly ids = new EventIds();
  /** Every connection ever opened, oldest first. */
  readonly connections: TestConnection[] = [];
  private waiters: Waiter[] = [];
  private readonly pendingTasks = inject(PendingTasks);

  /**
   * Holds the app "unstable" across the microtasks a delivery sets off (the services
   * batch events in a microtask and poll loops await), so `await fixture.whenStable()`
   * after `stream.event(...)` sees the rendered result. Promise hops, not a timer,
   * so it also settles under fake timers.
   */
  delivering(): void {
    const done = this.pendingTasks.add();
    void settleMicrotasks().then(done);
  }

  override openStream(req: StreamRequest, sink: StreamSink): () => void {
    const stream = this.add(new TestStream(req, sink, this));
    return () => stream.clientClosed();
  }

  override poll(req: PollRequest): Promise<PollResponse> {
    return new Promise<PollResponse>((resolve, reject: (error: RealtimeError) => void) => {
      this.add(new TestPoll(req, { resolve, reject }, this));
    });
  }

  override openSocket(req: SocketRequest, sink: SocketSink): SocketHandle {
    const socket = this.add(new TestSocket(req, sink, this));
    return {
      send: (frame: ChatFrame) => {
        socket.record(frame);
        // a `join` can make the socket match a waiter that asked for a room
        this.offer(socket);
      },
      close: () => socket.clientClosed(),
    };
  }

  /** Connections no test has claimed yet, oldest first. */
  unmatched(): TestConnection[] {
    return this.connections.filter((c) => !c.matched);
  }

  /** Resolves with the oldest unclaimed connection that matches, now or when the client opens it. */
  expectNext(match: RealtimeMatch): Promise<TestConnection> {
    const ready = this.unmatched().find((c) => c.active && matches(c, match));
    if (ready) {
      ready.matched = true;
      return Promise.resolve(ready);
    }
    return new Promise((resolve) => this.waiters.push({ match, resolve }));
  }

  private add<C extends TestConnection>(connection: C): C {
    this.connections.push(connection);
    this.offer(connection);
    return connection;
  }

  private offer(connection: TestConnection): void {
    if (connection.matched) return;
    const waiter = this.waiters.find((w) => matches(connection, w.match));
    if (!waiter) return;
    this.waiters = this.waiters.filter((w) => w !== waiter);
    connection.matched = true;
    waiter.resolve(connection);
  }
}

/** Enough promise hops for any await chain a delivery starts inside the services. */
const SETTLE_HOPS = 50;

async function settleMicrotasks(): Promise<void> {
  for (let hop = 0; hop < SETTLE_HOPS; hop++) await Promise.resolve();
}
