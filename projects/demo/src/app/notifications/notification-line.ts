import type { RealtimeEvent } from 'ngx-realtime-signals';
import { eventText } from 'ngx-realtime-signals/ui';

/** "Title: text" for the scenario's and the publish form's notifications, else the default text. */
export function notificationLine(event: RealtimeEvent<unknown>): string {
  const data = event.data as { title?: unknown; text?: unknown } | null;
  if (data && typeof data.title === 'string' && typeof data.text === 'string') return `${data.title}: ${data.text}`;
  return eventText(event);
}
