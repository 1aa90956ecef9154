export interface HeartbeatPeer {
  /** Terminates the peer if it missed the previous ping, else pings it again. */
  checkAlive(): void;
}

/**
 * One timer for every connection of a server (not one per socket): each tick
 * checks that every peer answered the previous ping. A dead peer is gone
 * after at most two intervals. Returns a function that stops the timer.
 */
export function startHeartbeat(intervalMs: number, peers: () => Iterable<HeartbeatPeer>): () => void {
  const timer = setInterval(() => {
    for (const peer of [...peers()]) peer.checkAlive();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
