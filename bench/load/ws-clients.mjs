// Chat members as `ws` clients that count every frame and byte they receive, by frame type.
import WebSocket from 'ws';

/** One chat connection; `onFrame(member, frame, size)` sees every parsed frame. */
class ChatMember {
  constructor(socket, name, onFrame) {
    this.socket = socket;
    this.name = name;
    this.onFrame = onFrame;
    this.welcome = null;
    /** Frames and payload bytes per frame type since the last resetCounts(). */
    this.frames = new Map();
    this.bytes = 0;
    this.frameCount = 0;
    /** The room size this member believes in (from joined.count and presence.count). */
    this.count = 0;
    this.joined = false;
    this.closed = false;
    this.waiters = [];
  }

  receive(data) {
    const text = data.toString('utf8');
    const frame = JSON.parse(text);
    this.bytes += text.length;
    this.frameCount++;
    this.frames.set(frame.type, (this.frames.get(frame.type) ?? 0) + 1);
    if (frame.type === 'welcome') this.welcome = frame;
    if (frame.type === 'joined') {
      this.joined = true;
      this.count = frame.count;
    }
    if (frame.type === 'presence') this.count = frame.count;
    this.onFrame?.(this, frame, text.length);
    if (this.waiters.length > 0) {
      const still = [];
      for (const waiter of this.waiters) {
        if (waiter.test(frame)) waiter.resolve(frame);
        else still.push(waiter);
      }
      this.waiters = still;
    }
  }

  /** Resolves with the first later frame that passes `test`. */
  next(test) {
    return new Promise((resolve) => this.waiters.push({ test, resolve }));
  }

  send(frame) {
    this.socket.send(JSON.stringify(frame));
  }

  resetCounts() {
    this.frames = new Map();
    this.bytes = 0;
    this.frameCount = 0;
  }

  close() {
    this.socket.terminate();
  }
}

/**
 * Opens `count` chat connections (`name` = `${prefix}${i}`), at most `concurrency` connecting at once,
 * and resolves when every one has its `welcome`.
 *
 * @example
 * const members = await openChatMembers(url, 1000, { prefix: 'm' });
 */
export async function openChatMembers(url, count, options = {}) {
  const wsUrl = url.replace(/^http/, 'ws');
  const concurrency = options.concurrency ?? 200;
  const prefix = options.prefix ?? 'member';
  const members = [];
  let started = 0;
  let failure = null;

  const openOne = (index) =>
    new Promise((resolve, reject) => {
      const name = `${prefix}${index}`;
      const socket = new WebSocket(`${wsUrl}/api/chat?name=${name}`, { perMessageDeflate: false });
      const member = new ChatMember(socket, name, options.onFrame);
      members.push(member);
      socket.on('message', (data) => {
        member.receive(data);
        if (member.welcome) resolve(member);
      });
      socket.on('unexpected-response', (_req, res) => reject(new Error(`chat upgrade answered ${res.statusCode}`)));
      socket.on('error', reject);
      socket.on('close', () => {
        member.closed = true;
        options.onClose?.(member);
        reject(new Error('chat socket closed before welcome'));
      });
    });

  const worker = async () => {
    while (started < count && failure === null) {
      const index = started++;
      try {
        await openOne(index);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (failure) {
    for (const member of members) member.close();
    throw new Error(`opening ${count} chat connections failed after ${members.length}: ${failure.message}`);
  }
  return members;
}
