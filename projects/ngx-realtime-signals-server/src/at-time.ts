/** setTimeout's largest delay; a longer one fires at once (Node clamps it to 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Calls `fire` at `atMs` (ms since the epoch), never before it by the wall
 * clock (timers can run a millisecond early against Date.now()), even when
 * that is weeks away, and never synchronously. Returns a function that cancels it.
 *
 * @example
 * const cancel = atTime(identity.expiresAtMs, () => socket.close(4401, 'token expired'));
 */
export function atTime(atMs: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout;
  const wait = (): void => {
    timer = setTimeout(check, Math.min(Math.max(0, atMs - Date.now()), MAX_TIMER_MS));
    // An expiry timer alone must not keep a process alive.
    timer.unref();
  };
  const check = (): void => {
    if (Date.now() >= atMs) fire();
    else wait();
  };
  wait();
  return () => clearTimeout(timer);
}
