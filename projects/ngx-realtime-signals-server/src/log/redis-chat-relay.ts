import { randomBytes } from 'node:crypto';
import type { createClient } from 'redis';
import type { ChatRelay, RelayedAnswer, RelayedRequest } from './chat-relay.js';

type Client = ReturnType<typeof createClient>;

export interface RedisChatRelayOptions {
  prefix: string;
  /** This process's name: its channel, and the owner part of its connection ids. */
  processId: string;
  /**
   * How long `serve()` waits for its subscription before it lets connections open anyway, and how
   * long past its hold time a request waits for its answer: the log's command deadline.
   */
  deadlineMs: number;
  /** A fresh connection for this process's channel (pub/sub needs one of its own). */
  subscriber(): Client;
  /** PUBLISH on the log's command connection; resolves with the number of receivers. */
  publish(channel: string, message: string): Promise<number>;
  onError(message: string, error: unknown): void;
}

/** One message on a process's channel. */
type Envelope =
  | { readonly t: 'request'; readonly id: string; readonly from: string; readonly request: RelayedRequest }
  | { readonly t: 'answer'; readonly id: string; readonly answer: RelayedAnswer }
  | { readonly t: 'cancel'; readonly id: string; readonly from: string };

interface Pending {
  resolve(answer: RelayedAnswer | null): void;
}

/**
 * Requests for HTTP chat connections over Redis pub/sub: one channel per process
 * (`<prefix>chat-relay:<processId>`) carries the requests for its connections and the answers to
 * the requests it sent. A PUBLISH that reaches no subscriber means the owner is gone (its
 * connections with it), which the caller answers as 404 unknown_connection at once.
 * Nothing is stored: a connection lives exactly as long as the process holding it.
 */
export class RedisChatRelay implements ChatRelay {
  readonly processId: string;
  private readonly pending = new Map<string, Pending>();
  /** Requests served here whose requester may still cancel them. */
  private readonly serving = new Map<string, () => void>();
  private handler: ((request: RelayedRequest, gone: Promise<void>) => Promise<RelayedAnswer>) | undefined;
  private subscriber: Client | undefined;
  private subscribed: Promise<void> | undefined;

  constructor(private readonly options: RedisChatRelayOptions) {
    this.processId = options.processId;
  }

  serve(handler: (request: RelayedRequest, gone: Promise<void>) => Promise<RelayedAnswer>): Promise<void> {
    this.handler = handler;
    return this.listen();
  }

  async request(owner: string, request: RelayedRequest, holdMs: number, signal?: AbortSignal): Promise<RelayedAnswer | null> {
    await this.listen();
    const id = randomBytes(12).toString('hex');
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<RelayedAnswer | null>((resolve) => {
      this.pending.set(id, { resolve });
      timer = setTimeout(() => resolve(null), holdMs + this.options.deadlineMs);
    });
    const cancel = (): void => {
      this.pending.get(id)?.resolve(null);
      const message: Envelope = { t: 'cancel', id, from: this.processId };
      this.options.publish(this.channel(owner), JSON.stringify(message)).catch(() => undefined);
    };
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      const message: Envelope = { t: 'request', id, from: this.processId, request };
      const receivers = await this.options.publish(this.channel(owner), JSON.stringify(message));
      if (receivers === 0) return null;
      return await answered;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
      this.pending.delete(id);
    }
  }

  close(): void {
    for (const pending of this.pending.values()) pending.resolve(null);
    this.pending.clear();
    for (const cancel of this.serving.values()) cancel();
    this.serving.clear();
    this.subscriber?.destroy();
    this.subscriber = undefined;
  }

  private channel(processId: string): string {
    return `${this.options.prefix}chat-relay:${processId}`;
  }

  private listen(): Promise<void> {
    if (this.subscribed) return this.subscribed;
    const subscriber = this.options.subscriber();
    this.subscriber = subscriber;
    // node-redis subscribes again by itself after a reconnect.
    const subscribed = subscriber
      .connect()
      .then(() => subscriber.subscribe(this.channel(this.processId), (message) => this.receive(message)))
      .catch((error: unknown) => this.options.onError('chat relay subscription failed', error));
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.deadlineMs);
      timer.unref();
    });
    this.subscribed = Promise.race([subscribed, waited]).finally(() => clearTimeout(timer));
    return this.subscribed;
  }

  private receive(raw: string): void {
    let message: Envelope;
    try {
      message = JSON.parse(raw) as Envelope;
    } catch {
      return;
    }
    if (message.t === 'answer') {
      this.pending.get(message.id)?.resolve(message.answer);
    } else if (message.t === 'cancel') {
      this.serving.get(message.id)?.();
    } else if (message.t === 'request') {
      void this.answer(message.id, message.from, message.request);
    }
  }

  private async answer(id: string, from: string, request: RelayedRequest): Promise<void> {
    const handler = this.handler;
    if (!handler || !/^[0-9a-f]{16}$/.test(from)) return;
    const gone = new Promise<void>((resolve) => this.serving.set(id, resolve));
    let answer: RelayedAnswer;
    try {
      answer = await handler(request, gone);
    } catch (error) {
      this.options.onError('chat relay request failed', error);
      answer = { status: 500, code: 'internal_error' };
    } finally {
      this.serving.delete(id);
    }
    const message: Envelope = { t: 'answer', id, answer };
    await this.options.publish(this.channel(from), JSON.stringify(message)).catch((error: unknown) =>
      this.options.onError('chat relay answer failed', error),
    );
  }
}
