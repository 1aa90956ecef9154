import { realtimeError } from '../errors';
import type { RealtimeError } from '../types';
import type { SocketHandle, SocketSink } from './realtime-transports';
import type { RealtimeTransportKind } from './transport-kind';

/** One transport a race may start: its kind and how to open it. */
export interface RaceCandidate {
  readonly kind: RealtimeTransportKind;
  open(sink: SocketSink): SocketHandle;
}

export interface RaceOptions {
  headStartMs: number;
  firstFrameMs: number;
  /** The winner, told before its first frame reaches the sink. */
  chosen(kind: RealtimeTransportKind): void;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
}

interface Runner {
  readonly kind: RealtimeTransportKind;
  handle: SocketHandle | null;
  failed: boolean;
  deadline: unknown;
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
 *   { kind: 'sse', open: (s) => transports.openHttpChat({ transport: 'sse', url, headers }, s) },
 * ], { headStartMs: 1500, firstFrameMs: 5000, chosen: (kind) => transport.set(kind) }, sink);
 * ```
 */
export function raceTransports(candidates: readonly RaceCandidate[], options: RaceOptions, sink: SocketSink): SocketHandle {
  const set = options.setTimeout ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clear = options.clearTimeout ?? ((handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>));
  const runners: Runner[] = [];
  let winner: Runner | null = null;
  let done = false;
  let headStart: unknown = null;
  let lastError: RealtimeError = realtimeError('unsupported', 'No transport is enabled for this service.', false);

  const finish = (error: RealtimeError): void => {
    if (done) return;
    done = true;
    stopAll(null);
    sink.closed(error);
  };

  const stopAll = (keep: Runner | null): void => {
    if (headStart !== null) clear(headStart);
    headStart = null;
    for (const runner of runners) {
      if (runner.deadline !== null) clear(runner.deadline);
      runner.deadline = null;
      if (runner !== keep && !runner.failed) {
        runner.failed = true;
        runner.handle?.close();
      }
    }
  };

  const lose = (runner: Runner, error: RealtimeError): void => {
    if (runner.failed || done) return;
    // The server itself refused the credentials: every other transport would hear the same.
    if (error.status === 401 || error.code === 'token_expired') {
      finish(error);
      return;
    }
    runner.failed = true;
    if (runner.deadline !== null) clear(runner.deadline);
    runner.deadline = null;
    runner.handle?.close();
    lastError = error;
    if (runners.length < candidates.length) {
      startNext();
    } else if (runners.every((r) => r.failed)) {
      finish(lastError);
    }
  };

  const startNext = (): void => {
    if (done || winner !== null) return;
    if (headStart !== null) clear(headStart);
    headStart = null;
    const candidate = candidates[runners.length];
    if (!candidate) return;
    const runner: Runner = { kind: candidate.kind, handle: null, failed: false, deadline: null };
    runners.push(runner);
    // A lone transport has nothing to fall over to: the caller's own timeout (chat's welcome) applies.
    if (candidates.length > 1) {
      runner.deadline = set(() => {
        runner.deadline = null;
        lose(runner, realtimeError('network', `No first frame over ${candidate.kind} within ${options.firstFrameMs} ms.`, true));
      }, options.firstFrameMs);
    }
    if (runners.length < candidates.length) headStart = set(() => startNext(), options.headStartMs);
    const runnerSink: SocketSink = {
      opened: () => undefined,
      message: (frame) => {
        if (done || runner.failed) return;
        if (winner === null) {
          winner = runner;
          stopAll(runner);
          options.chosen(runner.kind);
          sink.opened();
        }
        if (winner === runner) sink.message(frame);
      },
      closed: (error) => {
        if (done) return;
        if (winner === runner) finish(error);
        else lose(runner, error);
      },
    };
    try {
      runner.handle = candidate.open(runnerSink);
    } catch (error) {
      lose(runner, realtimeError('network', error instanceof Error ? error.message : String(error), true));
      return;
    }
    if (runner.failed) runner.handle.close();
  };

  if (candidates.length === 0) queueMicrotask(() => finish(lastError));
  else startNext();

  return {
    send(frame) {
      if (!done) winner?.handle?.send(frame);
    },
    close() {
      if (done) return;
      done = true;
      stopAll(null);
    },
  };
}
