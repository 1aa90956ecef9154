import { ApplicationConfig, provideBrowserGlobalErrorListeners, provideZonelessChangeDetection } from '@angular/core';
import { provideRouter, withComponentInputBinding } from '@angular/router';
import { provideRealtime } from 'ngx-realtime-signals';
import { routes } from './app.routes';

export const appConfig: ApplicationConfig = {
  providers: [
    provideBrowserGlobalErrorListeners(),
    provideZonelessChangeDetection(),
    provideRouter(routes, withComponentInputBinding()),
    // The demo is served by demo-server itself, so the API is same-origin under /api.
    provideRealtime({ baseUrl: '/api', reconnect: { initialDelayMs: 500, maxDelayMs: 5000 } }),
  ],
};
