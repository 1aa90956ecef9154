import { Signal, computed, effect, signal } from '@angular/core';

/**
 * Whole seconds left until `target()` (epoch ms), or null when there is no target.
 * A timer ticks only while a target is set, so an idle component holds no timer.
 * Must be called in an injection context (it creates an effect).
 */
export function countdownSeconds(target: () => number | null, tickMs = 250): Signal<number | null> {
  const now = signal(Date.now());
  effect((onCleanup) => {
    if (target() === null) return;
    now.set(Date.now());
    const timer = setInterval(() => now.set(Date.now()), tickMs);
    onCleanup(() => clearInterval(timer));
  });
  return computed(() => {
    const at = target();
    return at === null ? null : Math.max(0, Math.ceil((at - now()) / 1000));
  });
}
