import { realtimeError } from '../errors';
import type { RealtimeError } from '../types';
import type { StreamSink } from './realtime-transports';
import type { RealtimeTransportKind } from './transport-kind';

/** One way to read a topic that a stream race may start. */
export interface StreamCandidate {
  readonly kind: RealtimeTransportKind;
  open(sink: StreamSink): () => void;
}

export interface StreamRaceOptions {
  headStartMs: number;
  firstFrameMs: number;
  chosen(kind: RealtimeTransportKind): void;
}

/**
 * The notification counterpart of `raceTransports`: candidates start in order, each after the
 * previous one's head start (at once when it fails); the first whose server bytes arrive within
 * `firstFrameMs` (the SSE `retry:` line or cursor notice, a long-poll answer) wins and the others
 * are torn down. Nothing a loser read reaches `sink`: a winner is chosen at its first bytes,
 * before any of its events.
 *
 * @example
 * ```ts
 * const stop = raceStreams([{ kind: 'sse', open: (s) => transports.openStream(req, s) },
 *   { kind: 'long-poll', open: (s) => openPollStream(poll, pollReq, s) }], { headStartMs: 1500, firstFrameMs: 5000, chosen }, sink);
 * ```
 */
export function raceStreams(candidates: readonly StreamCandidate[], options: StreamRaceOptions, sink: StreamSink): () => void {
  interface Runner {
    readonly kind: RealtimeTransportKind;
    stop: (() => void) | null;
    failed: boolean;
    deadline: ReturnType<typeof setTimeout> | null;
  }
  const runners: Runner[] = [];
  let winner: Runner | null = null;
  let done = false;
  let headStart: ReturnType<typeof setTimeout> | null = null;

  const stopOthers = (keep: Runner | null): void => {
    if (headStart !== null) clearTimeout(headStart);
    headStart = null;
    for (const runner of runners) {
      if (runner.deadline !== null) clearTimeout(runner.deadline);
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
    sink.closed(error);
  };

  const lose = (runner: Runner, error: RealtimeError): void => {
    if (runner.failed || done) return;
    // The server itself refused the credentials: every other transport would hear the same.
    if (error.status === 401 || error.code === 'token_expired') {
      finish(error);
      return;
    }
    runner.failed = true;
    if (runner.deadline !== null) clearTimeout(runner.deadline);
    runner.deadline = null;
    runner.stop?.();
    if (runners.length < candidates.length) startNext();
    else if (runners.every((r) => r.failed)) finish(error);
  };

  const startNext = (): void => {
    if (done || winner !== null) return;
    if (headStart !== null) clearTimeout(headStart);
    headStart = null;
    const candidate = candidates[runners.length];
    if (!candidate) return;
    const runner: Runner = { kind: candidate.kind, stop: null, failed: false, deadline: null };
    runners.push(runner);
    if (candidates.length > 1) {
      runner.deadline = setTimeout(() => {
        runner.deadline = null;
        lose(runner, realtimeError('network', `No first frame over ${candidate.kind} within ${options.firstFrameMs} ms.`, true));
      }, options.firstFrameMs);
      if (runners.length < candidates.length) headStart = setTimeout(startNext, options.headStartMs);
    }
    const live = () => !done && !runner.failed && winner === runner;
    const commit = (): boolean => {
      if (done || runner.failed) return false;
      if (winner === null) {
        winner = runner;
        stopOthers(runner);
        options.chosen(runner.kind);
        sink.opened();
      }
      return winner === runner;
    };
    const runnerSink: StreamSink = {
      // headers alone prove nothing: a buffering proxy sends them and then holds the body
      opened: () => (candidates.length === 1 ? commit() : undefined),
      activity: () => {
        if (commit()) sink.activity();
      },
      event: (event) => {
        if (commit()) sink.event(event);
      },
      reset: (cursor) => {
        if (commit()) sink.reset(cursor);
      },
      position: (cursor) => {
        if (commit()) sink.position(cursor);
      },
      retryHint: (ms) => {
        if (live() || winner === null) sink.retryHint(ms);
      },
      closed: (error) => {
        if (done) return;
        if (winner === runner) finish(error);
        else lose(runner, error);
      },
    };
    try {
      runner.stop = candidate.open(runnerSink);
    } catch (error) {
      lose(runner, realtimeError('network', error instanceof Error ? error.message : String(error), true));
      return;
    }
    if (runner.failed) runner.stop();
  };

  if (candidates.length === 0) queueMicrotask(() => finish(realtimeError('unsupported', 'No transport is enabled for this service.', false)));
  else startNext();

  return () => {
    if (done) return;
    done = true;
    stopOthers(null);
  };
}
