import { realtimeError } from '../errors';
import type { RealtimeError } from '../types';
import type { SocketHandle, SocketSink, StreamSink } from './realtime-transports';
import type { RealtimeTransportKind } from './transport-kind';

export interface RaceOptions {
  headStartMs: number;
  firstFrameMs: number;
  /** The winner (and, for a relayed transport, what it turned out to be), told before its first frame reaches the sink. */
  chosen(kind: RealtimeTransportKind): void;
}

/** What a race tells one of its lanes, and what the lane tells it back. */
interface Lane {
  /** The lane's first frame: commits the race to it when none won yet; true while it is the winner. */
  commit(): boolean;
  /** The lane may still deliver: it won, or nothing won yet and it has not failed. */
  live(): boolean;
  /** The lane's transport ended (before a win: it lost; after: the race ends with it). */
  closed(error: RealtimeError): void;
  /** A relayed transport said what it really is (the leader tab's choice). */
  kind(kind: RealtimeTransportKind): void;
}

interface Runner {
  kind: RealtimeTransportKind;
  stop: (() => void) | null;
  failed: boolean;
  deadline: unknown;
}

/**
 * The race bookkeeping both kinds of race share: lane i starts after lane i-1's head start
 * (at once when it fails); a lane that gives no first frame within `firstFrameMs` fails; the
 * first lane to commit wins and every other lane is stopped; a 401 or an expired token ends
 * the race at once (every other transport would hear the same). A lone lane has nothing to
 * fall over to, so it gets no deadline (the caller's own timeout applies).
 * `start(i, lane)` opens lane i and returns its stop; `won` runs when a lane commits.
 */
function race(
  kinds: readonly RealtimeTransportKind[],
  options: RaceOptions,
  start: (index: number, lane: Lane) => () => void,
  won: (index: number) => void,
  finished: (error: RealtimeError) => void,
): { stop(): void; winner(): number } {
  const clear = (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>);
  const runners: Runner[] = [];
  let winner: Runner | null = null;
  let done = false;
  let headStart: unknown = null;

  const stopOthers = (keep: Runner | null): void => {
    if (headStart !== null) clear(headStart);
    headStart = null;
    for (const runner of runners) {
      if (runner.deadline !== null) clear(runner.deadline);
      runner.deadline = null;
      if (runner !== keep && !runner.failed) {
        runner.failed = true;
        runner.stop?.();
      }
    }
  };

  const finish = (error: RealtimeError): void => {
    if (done) return;
    done = true;
    stopOthers(null);
    finished(error);
  };

  const lose = (runner: Runner, error: RealtimeError): void => {
    if (runner.failed || done) return;
    if (error.status === 401 || error.code === 'token_expired') return finish(error);
    runner.failed = true;
    if (runner.deadline !== null) clear(runner.deadline);
    runner.deadline = null;
    runner.stop?.();
    if (runners.length < kinds.length) startNext();
    else if (runners.every((r) => r.failed)) finish(error);
  };

  const startNext = (): void => {
    if (done || winner !== null) return;
    if (headStart !== null) clear(headStart);
    headStart = null;
    const index = runners.length;
    const kind = kinds[index];
    if (kind === undefined) return;
    const runner: Runner = { kind, stop: null, failed: false, deadline: null };
    runners.push(runner);
    if (kinds.length > 1) {
      runner.deadline = setTimeout(() => {
        runner.deadline = null;
        lose(runner, realtimeError('network', `No first frame over ${kind} within ${options.firstFrameMs} ms.`, true));
      }, options.firstFrameMs);
      if (index + 1 < kinds.length) headStart = setTimeout(startNext, options.headStartMs);
    }
    const lane: Lane = {
      commit: () => {
        if (done || runner.failed) return false;
        if (winner === null) {
          winner = runner;
          stopOthers(runner);
          options.chosen(runner.kind);
          won(index);
        }
        return winner === runner;
      },
      live: () => !done && !runner.failed && (winner === null || winner === runner),
      closed: (error) => {
        if (done) return;
        if (winner === runner) finish(error);
        else lose(runner, error);
      },
      kind: (actual) => {
        if (done || runner.failed || runner.kind === actual) return;
        runner.kind = actual;
        if (winner === runner) options.chosen(actual);
      },
    };
    try {
      runner.stop = start(index, lane);
    } catch (error) {
      lose(runner, realtimeError('network', error instanceof Error ? error.message : String(error), true));
      return;
    }
    if (runner.failed) runner.stop();
  };

  if (kinds.length === 0) queueMicrotask(() => finish(realtimeError('unsupported', 'No transport is enabled for this service.', false)));
  else startNext();

  return {
    stop: () => {
      if (done) return;
      done = true;
      stopOthers(null);
    },
    winner: () => (winner === null || done ? -1 : runners.indexOf(winner)),
  };
}

/** One transport a socket race may start: its kind and how to open it. */
export interface RaceCandidate {
  readonly kind: RealtimeTransportKind;
  open(sink: SocketSink): SocketHandle;
}

/**
 * Opens the candidates in order, each after the previous one's head start (at once
 * when the previous one fails), and commits to the first whose server sends a
 * frame within `firstFrameMs`: a socket that opens and stays silent, or a stream a
 * proxy buffers, loses to the next. The others are closed. To `sink` the race
 * looks like one socket: `opened` and the first frame come from the winner, and
 * `closed` reports the winner's end, or the last failure when none won.
 *
 * @example
 * ```ts
 * const handle = raceTransports([
 *   { kind: 'websocket', open: (s) => transports.openSocket({ url: wsUrl }, s) },
 *   { kind: 'sse', open: (s) => openHttpChat(fetch, { transport: 'sse', url, headers }, s) },
 * ], { headStartMs: 1500, firstFrameMs: 5000, chosen: (kind) => transport.set(kind) }, sink);
 * ```
 */
export function raceTransports(candidates: readonly RaceCandidate[], options: RaceOptions, sink: SocketSink): SocketHandle {
  const handles: (SocketHandle | null)[] = candidates.map(() => null);
  const running = race(
    candidates.map((c) => c.kind),
    options,
    (index, lane) => {
      const handle = candidates[index].open({
        opened: () => undefined,
        transport: (kind) => lane.kind(kind),
        message: (frame) => {
          if (lane.commit()) sink.message(frame);
        },
        closed: (error) => lane.closed(error),
      });
      handles[index] = handle;
      return () => handle.close();
    },
    () => sink.opened(),
    (error) => sink.closed(error),
  );
  return {
    send: (frame) => handles[running.winner()]?.send(frame),
    close: () => running.stop(),
  };
}

/** One way to read a topic that a stream race may start. */
export interface StreamCandidate {
  readonly kind: RealtimeTransportKind;
  open(sink: StreamSink): () => void;
}

/**
 * The stream counterpart of `raceTransports`: the first candidate whose server bytes arrive
 * within `firstFrameMs` (the SSE `retry:` line or cursor notice, a long-poll answer) wins.
 * Nothing a loser read reaches `sink`: a winner is chosen at its first bytes, before any of
 * its events. Response headers alone prove nothing (a buffering proxy sends them and holds
 * the body), except for a lone candidate, which has nothing to fall over to.
 *
 * @example
 * ```ts
 * const stop = raceStreams([{ kind: 'sse', open: (s) => transports.openStream(req, s) },
 *   { kind: 'long-poll', open: (s) => openPollStream(poll, pollReq, s) }], { headStartMs: 1500, firstFrameMs: 5000, chosen }, sink);
 * ```
 */
export function raceStreams(candidates: readonly StreamCandidate[], options: RaceOptions, sink: StreamSink): () => void {
  const running = race(
    candidates.map((c) => c.kind),
    options,
    (index, lane) =>
      candidates[index].open({
        opened: () => (candidates.length === 1 ? lane.commit() : undefined),
        transport: (kind) => lane.kind(kind),
        activity: () => lane.commit() && sink.activity(),
        event: (event) => lane.commit() && sink.event(event),
        reset: (cursor) => lane.commit() && sink.reset(cursor),
        position: (cursor) => lane.commit() && sink.position(cursor),
        retryHint: (ms) => lane.live() && sink.retryHint(ms),
        closed: (error) => lane.closed(error),
      }),
    () => sink.opened(),
    (error) => sink.closed(error),
  );
  return () => running.stop();
}
