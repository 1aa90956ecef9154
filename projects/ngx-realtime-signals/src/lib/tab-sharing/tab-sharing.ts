import { isPlatformBrowser } from '@angular/common';
import { DestroyRef, Injectable, InjectionToken, PLATFORM_ID, inject, signal, type Signal } from '@angular/core';
import type { RealtimeTransports } from '../core/transports/realtime-transports';
import { browserTabEnvironment, type TabEnvironment } from './tab-environment';
import { TabSharingSession, type TabSharingRole } from './tab-sharing-session';

/**
 * Options of `withTabSharing()`.
 *
 * @example
 * ```ts
 * provideRealtime(withTabSharing({ name: 'my-app-realtime' }));
 * ```
 */
export interface TabSharingOptions {
  /**
   * Name of the lock and channel the tabs meet on. Default `ngx-realtime-signals`.
   * Apps on one origin that must not share connections (e.g. two apps under
   * different paths, or different users) give each their own name.
   */
  name?: string;
}

/** @internal Set by `withTabSharing()`; absent means sharing is off. */
export const ɵTAB_SHARING_OPTIONS = new InjectionToken<Required<TabSharingOptions>>('TAB_SHARING_OPTIONS');
/** @internal The page parts sharing runs on; null turns sharing off (what the browser lacks). */
export const ɵTAB_ENVIRONMENT = new InjectionToken<TabEnvironment | null>('TAB_ENVIRONMENT', {
  providedIn: 'root',
  factory: browserTabEnvironment,
});
/** @internal A role simulated by `ngx-realtime-signals/testing`; no election runs. */
export const ɵTAB_SHARING_SIMULATION = new InjectionToken<TabSharingRole>('TAB_SHARING_SIMULATION');

/**
 * This tab's part in sharing connections between the tabs of a browser
 * (see `withTabSharing()`): `sharing()` says whether it holds the shared
 * connections, uses them through another tab, or is on its own, and
 * {@link TabSharing.runInOneTab} runs a side effect in one tab only.
 *
 * Every tab, leader or follower, sees every event in its services' signals
 * (each tab's lists and counters are complete); only side effects that should
 * happen once per browser (a sound, an OS notification) need `runInOneTab`.
 *
 * @example
 * ```ts
 * @Component({ template: `@if (tabs.sharing() === 'leader') { <span>this tab holds the connection</span> }` })
 * export class SharingBadge {
 *   readonly tabs = inject(TabSharing);
 *   constructor() {
 *     inject(NotificationService).events$.pipe(takeUntilDestroyed()).subscribe((e) =>
 *       this.tabs.runInOneTab(() => new Notification(String(e.data))));
 *   }
 * }
 * ```
 */
@Injectable({ providedIn: 'root' })
export class TabSharing {
  private readonly role = signal<TabSharingRole>('off');
  /** `leader`, `follower`, or `off` (sharing not configured, not supported by this browser, or the server platform). */
  readonly sharing: Signal<TabSharingRole> = this.role.asReadonly();
  private session: TabSharingSession | null = null;
  private readonly options = inject(ɵTAB_SHARING_OPTIONS, { optional: true });
  private readonly environment = inject(ɵTAB_ENVIRONMENT);
  private readonly browser = isPlatformBrowser(inject(PLATFORM_ID));

  constructor() {
    const simulated = inject(ɵTAB_SHARING_SIMULATION, { optional: true });
    if (simulated) this.role.set(simulated);
    inject(DestroyRef).onDestroy(() => {
      this.session?.stop();
      this.session = null;
    });
  }

  /**
   * Runs `effect` if this tab is the one that runs side effects for the browser
   * (the leader, or any tab when sharing is off); returns whether it ran. At the
   * moment of a hand-over an event can be handled by the old leader, the new
   * one, or neither.
   *
   * @example
   * ```ts
   * notes.events$.subscribe(() => tabs.runInOneTab(() => beep.play()));
   * ```
   */
  runInOneTab(effect: () => void): boolean {
    if (this.role() === 'follower') return false;
    effect();
    return true;
  }

  /** @internal Simulates a role (`ngx-realtime-signals/testing`). */
  ɵsimulate(role: TabSharingRole): void {
    this.role.set(role);
  }

  /**
   * @internal The session this tab shares connections through, started on first
   * use; null when sharing is off here (then each service uses `real` directly).
   */
  ɵsession(real: RealtimeTransports, catchUpUrl: (topic: string) => string): RealtimeTransports | null {
    if (this.session) return this.session;
    if (!this.options || !this.browser || !this.environment) return null;
    this.session = new TabSharingSession(this.environment, this.options.name, real, (role) => this.role.set(role), catchUpUrl);
    this.session.start();
    return this.session;
  }
}
