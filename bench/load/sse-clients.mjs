// SSE subscribers over raw TCP sockets: one socket and a few numbers per stream, so ten thousand of them
// fit in one load-generating process without an HTTP client library in the way.
import http from 'node:http';
import net from 'node:net';

const ID_LINE = Buffer.from('\nid: ');
const PING = Buffer.from(': ping');
const HEAD_END = Buffer.from('\r\n\r\n');
/** The notice that hands a new reader its cursor before any event: not an event, so not counted. */
const CURSOR_NOTICE = Buffer.from('event: cursor\n');

/**
 * One SSE stream. `onEvent(stream, id)` is called for each `id:` line, as soon as its bytes arrive.
 * `slow: true` stops reading right after the response head: the kernel buffers fill, then the server's.
 */
class SseStream {
  constructor(socket, options) {
    this.socket = socket;
    this.options = options;
    this.status = 0;
    this.events = 0;
    this.cursorNotices = 0;
    this.pings = 0;
    this.bytes = 0;
    this.closed = false;
    this.lastId = null;
    // The tail of the previous chunk, so an `id:` line split across reads is still seen.
    this.carry = Buffer.alloc(0);
  }

  receive(chunk) {
    this.bytes += chunk.length;
    let data = this.carry.length > 0 ? Buffer.concat([this.carry, chunk]) : chunk;
    if (this.status === 0) {
      const headEnd = data.indexOf(HEAD_END);
      if (headEnd < 0) {
        this.carry = data;
        return;
      }
      this.status = Number(data.toString('latin1', 9, 12));
      this.options.onHead?.(this);
      if (this.options.slow) {
        this.socket.pause();
        this.carry = Buffer.alloc(0);
        return;
      }
      data = data.subarray(headEnd + 2);
    }
    let from = 0;
    for (;;) {
      const at = data.indexOf(ID_LINE, from);
      if (at < 0) break;
      const end = data.indexOf(10, at + ID_LINE.length);
      if (end < 0) break;
      if (data.subarray(end + 1, end + 1 + CURSOR_NOTICE.length).equals(CURSOR_NOTICE)) {
        this.cursorNotices++;
        from = end;
        continue;
      }
      this.events++;
      this.lastId = data.toString('latin1', at + ID_LINE.length, end);
      this.options.onEvent?.(this, this.lastId);
      from = end;
    }
    if (data.indexOf(PING) >= 0) {
      this.pings++;
      this.options.onPing?.(this);
    }
    // Keep at most one partial line: enough to complete a split `\nid: ...\n`.
    const lastNewline = data.lastIndexOf(10);
    const tailStart = Math.max(from, lastNewline);
    this.carry = tailStart >= 0 && data.length - tailStart < 512 ? Buffer.from(data.subarray(tailStart)) : Buffer.alloc(0);
  }

  close() {
    this.socket.destroy();
  }
}

/**
 * Opens `count` SSE streams to `${url}/api/events/${topic}`, at most `concurrency` connecting at once.
 * Resolves when every stream has its response head (or rejects on the first failure).
 *
 * @example
 * const streams = await openSseStreams(url, 'bench', 1000, { onEvent: (stream, id) => {} });
 */
export async function openSseStreams(url, topic, count, options = {}) {
  const { hostname, port } = new URL(url);
  const concurrency = options.concurrency ?? 200;
  const streams = [];
  let started = 0;
  let failure = null;

  const openOne = () =>
    new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port: Number(port) });
      const stream = new SseStream(socket, {
        ...options,
        onHead: (s) => {
          if (s.status !== 200) reject(new Error(`SSE answered ${s.status}`));
          else resolve(s);
        },
      });
      socket.setNoDelay(true);
      socket.on('connect', () => {
        socket.write(`GET /api/events/${topic} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
      });
      socket.on('data', (chunk) => stream.receive(chunk));
      socket.on('error', (error) => {
        stream.closed = true;
        reject(error);
      });
      socket.on('close', () => {
        stream.closed = true;
        options.onClose?.(stream);
        reject(new Error('SSE stream closed before its head'));
      });
      streams.push(stream);
    });

  const worker = async () => {
    while (started < count && failure === null) {
      started++;
      try {
        await openOne();
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure) {
    for (const stream of streams) stream.close();
    throw new Error(`opening ${count} SSE streams failed after ${streams.length}: ${failure.message}`);
  }
  return streams;
}

/** Opens one stream that never reads after the head (a stuck tab, a dead proxy). */
export async function openSlowSseStream(url, topic, options = {}) {
  const [stream] = await openSseStreams(url, topic, 1, { ...options, slow: true, concurrency: 1 });
  return stream;
}

/**
 * POSTs one event; resolves with its id. A fresh connection per publish (no keep-alive pool): a pooled
 * socket the server closes while idle would fail a publish that never reached it.
 */
export function publish(url, topic, type, data) {
  const body = JSON.stringify({ type, data });
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${url}/api/topics/${encodeURIComponent(topic)}/events`,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          if (res.statusCode !== 201) reject(new Error(`publish answered ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text).id);
        });
        res.on('error', reject);
      },
    );
    req.on('error', (error) => reject(new Error(`publish failed: ${error.code ?? ''} ${error.message}`)));
    req.end(body);
  });
}
