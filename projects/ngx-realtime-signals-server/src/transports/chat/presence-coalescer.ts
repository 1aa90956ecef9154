export interface PresenceDelta {
  joined: string[];
  left: string[];
}

/**
 * Collects one room's joins and leaves for `windowMs` and hands them over as
 * one net delta: a room filling with N users costs each member about one
 * presence frame per window instead of N. A user who joins and leaves inside
 * the same window cancels out.
 */
export class PresenceCoalescer {
  /** user -> net change since the last flush */
  private readonly pending = new Map<string, 'joined' | 'left'>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly flush: (delta: PresenceDelta) => void,
  ) {}

  joined(user: string): void {
    this.record(user, 'joined');
  }

  left(user: string): void {
    this.record(user, 'left');
  }

  /** Drops whatever is pending (the room is gone) and clears the timer. */
  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private record(user: string, change: 'joined' | 'left'): void {
    const previous = this.pending.get(user);
    if (previous !== undefined && previous !== change) {
      this.pending.delete(user);
    } else {
      this.pending.set(user, change);
    }
    if (this.timer === undefined) this.timer = setTimeout(() => this.emit(), this.windowMs);
  }

  private emit(): void {
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const delta: PresenceDelta = { joined: [], left: [] };
    for (const [user, change] of this.pending) delta[change].push(user);
    this.pending.clear();
    this.flush(delta);
  }
}
