// What one chaos or soak client saw, recorded from the library's signals.
import { createWatch } from '@angular/core/primitives/signals';

/** The state recorded for a change that was undone within the same task. */
export const BOUNCED = '(changed and back)';

/**
 * Calls `changed(value, at)` on every change of the signal `state`, not on a sample of them: a
 * client that gives up on a dead connection can be `reconnecting`, `connecting` and `open` again
 * within a few milliseconds (the first retry after a cut waits under a quarter of the initial
 * delay, and a local reconnect is quick), which a poll every few milliseconds misses, so the
 * client looks as if it never noticed. A signal notifies synchronously when it is set; it is read
 * in a microtask (signals cannot be read while they notify), before the next state change, which
 * always comes from a later task (a timer or a socket event). `at` is the time of the notification.
 * Returns the function that stops watching.
 *
 * @example
 * const unwatch = watchState(chat.state, (state, at) => record.state(state, at));
 */
export function watchState(state, changed, now = Date.now) {
  let notifiedAt = null;
  let last;
  const watch = createWatch(
    () => {
      const value = state();
      const at = notifiedAt ?? now();
      // Changed and changed back within one task: it did leave, though what it passed through is unknown.
      if (notifiedAt !== null && value === last) changed(BOUNCED, at);
      changed(value, at);
      last = value;
      notifiedAt = null;
    },
    (w) => {
      notifiedAt ??= now();
      queueMicrotask(() => w.run());
    },
    false,
  );
  watch.run();
  return () => watch.destroy();
}

/**
 * Records every change of the service's `state` signal in `record`; returns the function that stops.
 *
 * @example
 * const stop = recordStates(chat.state, record);
 */
export function recordStates(state, record) {
  return watchState(state, (value, at) => record.state(value, at));
}

/**
 * What one client saw: every event with the time it arrived, the state changes with
 * their times, resets (gaps) and reconnects.
 *
 * @example
 * const record = new ClientRecord('websocket', 'reader1');
 * record.state('open'); record.state('reconnecting'); record.state('open');
 * record.reconnects; // 1
 */
export class ClientRecord {
  constructor(transport, name) {
    this.transport = transport;
    this.name = name;
    this.received = [];
    this.states = [];
    this.resets = 0;
    this.opens = 0;
  }

  state(state, at = Date.now()) {
    const last = this.states.at(-1);
    if (last?.state === state) return;
    this.states.push({ state, at });
    if (state === 'open') this.opens++;
  }

  get reconnects() {
    return Math.max(0, this.opens - 1);
  }

  get currentState() {
    return this.states.at(-1)?.state ?? 'idle';
  }

  /** First moment after `at` when the client left `open`, or null. */
  leftOpenAfter(at) {
    let wasOpen = false;
    for (const entry of this.states) {
      if (entry.at < at) {
        wasOpen = entry.state === 'open';
        continue;
      }
      if (wasOpen && entry.state !== 'open') return entry.at;
      wasOpen = entry.state === 'open';
    }
    return null;
  }
}
