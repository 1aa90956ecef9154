import type { SocketHandle, SocketSink, StreamSink } from './realtime-transports';
import { raceStreams, raceTransports, type RaceCandidate, type StreamCandidate } from './transport-race';
import { realtimeError } from '../errors';

interface Fake {
  sink: SocketSink | null;
  closed: boolean;
  sent: unknown[];
}

function candidate(kind: RaceCandidate['kind'], fake: Fake): RaceCandidate {
  return {
    kind,
    open: (sink): SocketHandle => {
      fake.sink = sink;
      return { send: (frame) => void fake.sent.push(frame), close: () => void (fake.closed = true) };
    },
  };
}

const fresh = (): Fake => ({ sink: null, closed: false, sent: [] });

describe('raceTransports', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function outer() {
    return { opened: jest.fn(), message: jest.fn(), closed: jest.fn() };
  }

  it('starts the next transport after the head start and commits to the first that sends a frame', () => {
    const [ws, sse] = [fresh(), fresh()];
    const sink = outer();
    const chosen = jest.fn();
    const handle = raceTransports([candidate('websocket', ws), candidate('sse', sse)], { headStartMs: 1500, firstFrameMs: 5000, chosen }, sink);
    expect(sse.sink).toBeNull();
    jest.advanceTimersByTime(1500);
    expect(sse.sink).not.toBeNull();
    sse.sink!.message({ type: 'welcome' });
    expect(chosen).toHaveBeenCalledWith('sse');
    expect(sink.opened).toHaveBeenCalledTimes(1);
    expect(sink.message).toHaveBeenCalledWith({ type: 'welcome' });
    expect(ws.closed).toBe(true);
    ws.sink!.message({ type: 'welcome' });
    expect(sink.message).toHaveBeenCalledTimes(1);
    handle.send({ type: 'ping' });
    expect(sse.sent).toEqual([{ type: 'ping' }]);
    expect(ws.sent).toEqual([]);
  });

  it('hands over at once when a transport fails before its first frame', () => {
    const [ws, sse] = [fresh(), fresh()];
    raceTransports([candidate('websocket', ws), candidate('sse', sse)], { headStartMs: 1500, firstFrameMs: 5000, chosen: jest.fn() }, outer());
    ws.sink!.closed(realtimeError('http_error', 'HTTP 403', false, { status: 403 }));
    expect(sse.sink).not.toBeNull();
  });

  it('counts a transport that opens and stays silent as failed after the first-frame deadline', () => {
    const [ws, sse] = [fresh(), fresh()];
    const sink = outer();
    raceTransports([candidate('websocket', ws), candidate('sse', sse)], { headStartMs: 1500, firstFrameMs: 5000, chosen: jest.fn() }, sink);
    ws.sink!.opened();
    jest.advanceTimersByTime(5000);
    expect(ws.closed).toBe(true);
    jest.advanceTimersByTime(1500);
    expect(sse.closed).toBe(true);
    expect(sink.closed).toHaveBeenCalledWith(expect.objectContaining({ code: 'network', retryable: true }));
    expect(sink.opened).not.toHaveBeenCalled();
  });

  it('reports the winner closing as the end of the race', () => {
    const [ws] = [fresh()];
    const sink = outer();
    raceTransports([candidate('websocket', ws)], { headStartMs: 1500, firstFrameMs: 5000, chosen: jest.fn() }, sink);
    ws.sink!.message({ type: 'welcome' });
    ws.sink!.closed(realtimeError('socket_closed', 'closed', true));
    expect(sink.closed).toHaveBeenCalledWith(expect.objectContaining({ code: 'socket_closed' }));
  });

  it('gives a lone transport no first-frame deadline of its own', () => {
    const ws = fresh();
    const sink = outer();
    raceTransports([candidate('websocket', ws)], { headStartMs: 10, firstFrameMs: 20, chosen: jest.fn() }, sink);
    jest.advanceTimersByTime(60_000);
    expect(ws.closed).toBe(false);
    expect(sink.closed).not.toHaveBeenCalled();
  });

  it('tells the kind a relayed transport says it really is, before its first frame', () => {
    const relayed = fresh();
    const chosen = jest.fn();
    const sink = outer();
    raceTransports([candidate('websocket', relayed)], { headStartMs: 1500, firstFrameMs: 5000, chosen }, sink);
    relayed.sink!.transport!('long-poll');
    expect(chosen).not.toHaveBeenCalled();
    relayed.sink!.message({ type: 'welcome' });
    expect(chosen.mock.calls).toEqual([['long-poll']]);
    expect(sink.opened).toHaveBeenCalledTimes(1);
  });
});

describe('raceStreams', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function lane(kind: StreamCandidate['kind']) {
    const state = { sink: null as StreamSink | null, stopped: false };
    const candidate: StreamCandidate = {
      kind,
      open: (sink) => {
        state.sink = sink;
        return () => void (state.stopped = true);
      },
    };
    return { state, candidate };
  }

  function outer() {
    return { opened: jest.fn(), event: jest.fn(), reset: jest.fn(), position: jest.fn(), retryHint: jest.fn(), activity: jest.fn(), closed: jest.fn() };
  }

  it('passes over a stream whose headers came but whose bytes a proxy holds, and delivers the winner alone', () => {
    const sse = lane('sse');
    const poll = lane('long-poll');
    const sink = outer();
    const chosen = jest.fn();
    raceStreams([sse.candidate, poll.candidate], { headStartMs: 1500, firstFrameMs: 5000, chosen }, sink);
    sse.state.sink!.opened();
    expect(sink.opened).not.toHaveBeenCalled();
    jest.advanceTimersByTime(1500);
    poll.state.sink!.opened();
    poll.state.sink!.activity();
    poll.state.sink!.position('c1');
    expect(chosen.mock.calls).toEqual([['long-poll']]);
    expect(sse.state.stopped).toBe(true);
    sse.state.sink!.event({ id: 'e1', topic: 't', type: 'note', data: null, ts: 0 });
    expect(sink.event).not.toHaveBeenCalled();
    expect(sink.position).toHaveBeenCalledWith('c1');
    expect(sink.opened).toHaveBeenCalledTimes(1);
  });

  it('commits a lone stream on its headers, and takes the kind a relayed one reports', () => {
    const relayed = lane('sse');
    const sink = outer();
    const chosen = jest.fn();
    raceStreams([relayed.candidate], { headStartMs: 1500, firstFrameMs: 5000, chosen }, sink);
    relayed.state.sink!.transport!('long-poll');
    relayed.state.sink!.opened();
    expect(chosen.mock.calls).toEqual([['long-poll']]);
    expect(sink.opened).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(60_000);
    expect(sink.closed).not.toHaveBeenCalled();
  });
});
