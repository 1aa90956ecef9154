import type { EventLog, LoggedEvent } from '../log/event-log.js';

type Listener = (event: LoggedEvent) => void;

interface TopicEntry {
  readonly listeners: Set<{ listener: Listener; onReset?: () => void }>;
  unsubscribe: () => void;
  queue: LoggedEvent[];
}

/**
 * One log subscription per topic for many connections, delivered after the appending code has
 * moved on: the log hands an event to one listener, which queues it, and the queue goes to every
 * connection of the topic on the next turn of the event loop (`setImmediate`). So a publish is
 * answered before its fan-out runs (it does not wait for N writes), and a burst of events reaches
 * the connections in one pass. Same contract as `EventLog.subscribe` for each connection: every
 * event appended after `subscribe()` returns, in order (a connection that joins between an append
 * and its delivery may also get that event; readers drop it with `log.compare`, as they must for
 * any event their backlog read covered).
 *
 * @example
 * const fanout = createTopicFanout(log);
 * const unsubscribe = fanout.subscribe('news', (event) => stream.push(eventFrame(event)));
 */
export function createTopicFanout(log: EventLog): {
  subscribe(topic: string, listener: Listener, onReset?: () => void): () => void;
} {
  const topics = new Map<string, TopicEntry>();

  const flush = (entry: TopicEntry): void => {
    const events = entry.queue;
    entry.queue = [];
    // snapshot: a connection added while this pass runs starts with the next one
    const listeners = [...entry.listeners];
    for (const event of events) {
      for (const { listener } of listeners) {
        try {
          listener(event);
        } catch {
          // one broken connection must not starve the others
        }
      }
    }
  };

  return {
    subscribe(topic, listener, onReset) {
      let entry = topics.get(topic);
      if (entry === undefined) {
        const created: TopicEntry = { listeners: new Set(), queue: [], unsubscribe: () => undefined };
        created.unsubscribe = log.subscribe(
          topic,
          (event) => {
            if (created.queue.push(event) === 1) setImmediate(() => flush(created));
          },
          () => {
            // what was queued came before the loss; then every connection reads again
            flush(created);
            for (const { onReset: reset } of [...created.listeners]) reset?.();
          },
        );
        entry = created;
        topics.set(topic, entry);
      }
      const own = { listener, onReset };
      entry.listeners.add(own);
      const current = entry;
      return () => {
        current.listeners.delete(own);
        if (current.listeners.size === 0 && topics.get(topic) === current) {
          topics.delete(topic);
          current.unsubscribe();
        }
      };
    },
  };
}
