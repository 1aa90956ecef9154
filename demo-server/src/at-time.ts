/** setTimeout's largest delay; a longer one fires at once (Node clamps it to 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Calls `fire` at `atMs` (ms since the epoch), even when that is weeks away.
 * Returns a function that cancels it.
 *
 * @example
 * const cancel = atTime(identity.expiresAtMs, () => socket.close(4401, 'token expired'));
 */
export function atTime(atMs: number, fire: () => void): () => void {
  let timer: NodeJS.Timeout;
  const arm = (): void => {
    const delay = atMs - Date.now();
    timer = delay > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fire, Math.max(0, delay));
    // An expiry timer alone must not keep a process alive.
    timer.unref();
  };
  arm();
  return () => clearTimeout(timer);
}
