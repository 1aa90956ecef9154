import { type EnvironmentProviders, Injectable, inject, makeEnvironmentProviders } from '@angular/core';
import { TabSharing, type TabSharingRole, ɵTAB_SHARING_SIMULATION } from 'ngx-realtime-signals';

/**
 * Simulates this tab's part in tab sharing for unit tests: `TabSharing.sharing()`
 * says the role set here and `runInOneTab` runs only as `leader` or `off`. No
 * election runs and nothing is relayed; the services keep using the test
 * transports of `provideRealtimeTesting()`.
 *
 * @example
 * ```ts
 * TestBed.configureTestingModule({ providers: [provideRealtimeTesting(), provideTabSharingTesting('follower')] });
 * TestBed.inject(TabSharingTesting).simulate('leader'); // the other tab closed: this one leads now
 * ```
 */
@Injectable()
export class TabSharingTesting {
  private readonly tabs = inject(TabSharing);

  /** Makes `sharing()` say `role` from now on. */
  simulate(role: TabSharingRole): void {
    this.tabs.ɵsimulate(role);
  }
}

/**
 * Provides {@link TabSharingTesting}, starting in `role` (default `leader`).
 *
 * @example
 * ```ts
 * providers: [provideRealtimeTesting(), provideTabSharingTesting('follower')]
 * ```
 */
export function provideTabSharingTesting(role: TabSharingRole = 'leader'): EnvironmentProviders {
  if (role !== 'leader' && role !== 'follower' && role !== 'off') {
    throw new TypeError(`provideTabSharingTesting: role must be 'leader', 'follower' or 'off', got ${JSON.stringify(role)}`);
  }
  return makeEnvironmentProviders([{ provide: ɵTAB_SHARING_SIMULATION, useValue: role }, TabSharingTesting]);
}
