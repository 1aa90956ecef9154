/**
 * Redis Stream ids (`<ms>-<seq>`) as the log's event ids and cursors.
 *
 * Both parts are kept within 2^53 so that Lua (doubles) and JavaScript compare
 * them exactly; a real Redis never issues more (ms is a clock, seq counts
 * within one millisecond). `0-<epoch>` is the head of a topic with no events:
 * no real entry has ms 0, so it sorts before all of them, and the epoch (a
 * random number kept in Redis next to the streams) tells a head of the current
 * data set from one issued before Redis lost its data.
 */
export interface StreamId {
  readonly ms: number;
  readonly seq: number;
}

const STREAM_ID = /^(0|[1-9][0-9]{0,15})-(0|[1-9][0-9]{0,15})$/;

export function parseStreamId(id: string): StreamId | null {
  const match = STREAM_ID.exec(id);
  if (!match) return null;
  const ms = Number(match[1]);
  const seq = Number(match[2]);
  return Number.isSafeInteger(ms) && Number.isSafeInteger(seq) ? { ms, seq } : null;
}

/** Log order: negative when `a` comes first. Throws on an id that is not a stream id. */
export function compareStreamIds(a: string, b: string): number {
  const pa = parseStreamId(a);
  const pb = parseStreamId(b);
  if (!pa || !pb) throw new RangeError(`cannot compare ids ${a} and ${b}`);
  return pa.ms !== pb.ms ? pa.ms - pb.ms : pa.seq - pb.seq;
}
