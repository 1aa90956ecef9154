import { ApplicationConfig, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { provideRealtime, withTabSharing } from 'ngx-realtime-signals';
import { routes } from './app.routes';

/**
 * The demo shares one set of connections between its tabs; `?tabs=off` in the
 * address opens a tab with connections of its own (to compare both).
 */
function tabSharingWanted(): boolean {
  return typeof location === 'undefined' || new URLSearchParams(location.search).get('tabs') !== 'off';
}

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    // The demo is served by demo-server itself, so the API is same-origin under /api.
    provideRealtime(
      { baseUrl: '/api', reconnect: { initialDelayMs: 500, maxDelayMs: 5000 }, buffers: { notifications: 1000, events: 1000 } },
      ...(tabSharingWanted() ? [withTabSharing()] : []),
    ),
  ],
};
