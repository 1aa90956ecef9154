import http from 'node:http';
import { createParser, type EventSourceMessage } from 'eventsource-parser';

export interface SseReader {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every complete message but the starting-position notices, in order. */
  events: EventSourceMessage[];
  /** Ids of `event: cursor` notices (the position given to a reader without a resume id). */
  positions: string[];
  comments: string[];
  retries: number[];
  /** Lines the parser did not understand (an injected field would land here). */
  parseErrors: string[];
  /** Everything received, verbatim. */
  raw: string;
  /** The body for a non-200 answer. */
  errorBody: any;
  readonly ended: Promise<void>;
  close(): void;
}

/**
 * A raw SSE subscription over node:http: exact request headers, every byte
 * kept, no reconnects. Resolves once the response head arrives.
 */
export function openSse(
  baseUrl: string,
  path: string,
  options: { headers?: http.OutgoingHttpHeaders; pauseBody?: boolean } = {},
): Promise<SseReader> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: base.hostname, port: base.port, path, headers: { accept: 'text/event-stream', ...options.headers }, agent: false },
      (res) => {
        let endedResolve!: () => void;
        const reader: SseReader = {
          status: res.statusCode ?? 0,
          headers: res.headers,
          events: [],
          positions: [],
          comments: [],
          retries: [],
          parseErrors: [],
          raw: '',
          errorBody: undefined,
          ended: new Promise<void>((r) => (endedResolve = r)),
          close: () => req.destroy(),
        };
        res.on('close', () => endedResolve());
        res.on('error', () => endedResolve());
        if (reader.status !== 200) {
          let text = '';
          res.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
          res.on('end', () => {
            reader.errorBody = JSON.parse(text);
            resolve(reader);
          });
          return;
        }
        const parser = createParser({
          onEvent: (event) => {
            if (event.event === 'cursor') reader.positions.push(event.id ?? '');
            else reader.events.push(event);
          },
          onComment: (comment) => reader.comments.push(comment),
          onRetry: (retry) => reader.retries.push(retry),
          onError: (error) => reader.parseErrors.push(error.message),
        });
        if (options.pauseBody) {
          // A consumer that never reads: the socket stops draining once its buffers fill.
          res.pause();
        } else {
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            reader.raw += chunk;
            parser.feed(chunk);
          });
        }
        resolve(reader);
      },
    );
    req.on('error', (error) => {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET') reject(error);
    });
  });
}

/** The event JSON carried in `data:`. */
export function payload(message: EventSourceMessage): any {
  return JSON.parse(message.data);
}
