/** Endpoints and per-call stream options, as an app writes them. */
import { inject } from '@angular/core';
import {
  NotificationService,
  provideRealtime,
  withEndpoints,
  type NotificationConnectOptions,
  type RealtimeEndpoints,
  type SseMessage,
} from 'ngx-realtime-signals';
import { expectType } from './type-assert';

// withEndpoints: functions of the topic, a chat URL or a function for it.
provideRealtime(
  withEndpoints({
    events: { url: (topic) => `/stream/${topic}`, parse: 'json', heartbeatMs: 0 },
    poll: (topic) => `/poll/${topic}`,
    chat: () => 'wss://chat.example.com/socket',
  }),
);
provideRealtime({ endpoints: { events: (topic) => `/stream/${topic}`, chat: '/socket' } });
// @ts-expect-error the stream URL depends on the topic: a function, not a string
withEndpoints({ events: '/stream' });
// @ts-expect-error parse is 'json', 'text' or a function
withEndpoints({ events: { url: (topic: string) => topic, parse: 'xml' } });
const endpoints: RealtimeEndpoints = {};
expectType<RealtimeEndpoints>()(endpoints);

// connect(topic, { parse }): a parse function must produce the data type of the service.
const alerts = inject(NotificationService<{ text: string }>);
alerts.connect('alerts', { url: '/s', heartbeatMs: 0, parse: (m) => ({ text: m.data }) });
alerts.connect('alerts', { parse: 'json' });
// @ts-expect-error a number is not { text: string }
alerts.connect('alerts', { parse: (m: SseMessage) => m.data.length });
// @ts-expect-error 'text' gives strings, and the service declared { text: string }
alerts.connect('alerts', { parse: 'text' });

// 'text' is there where the data may be a string.
const lines = inject(NotificationService<string>);
lines.connect('log', { parse: 'text' });
const untyped: NotificationService = inject(NotificationService);
untyped.connect('any', { parse: 'text' });
untyped.connect('any', { parse: (m) => m.event.length });
expectType<NotificationConnectOptions<string>['url']>()(undefined as string | undefined);
