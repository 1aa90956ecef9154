import { Signal, effect, inject, untracked } from '@angular/core';
import { Router } from '@angular/router';
import { ChatService } from 'ngx-realtime-signals';
import type { RtToastOutlet } from 'ngx-realtime-signals/ui';

/** A message older than this when first seen is history (from a join), not news. */
const FRESH_MS = 5_000;

/**
 * Shows chat messages from others as toasts while the user is on another page.
 * Call in an injection context.
 */
export function toastChatMessagesElsewhere(outlet: Signal<RtToastOutlet>): void {
  const chat = inject(ChatService);
  const router = inject(Router);
  const seen = new Set<string>();
  effect(() => {
    for (const room of chat.rooms()) {
      for (const message of room.messages()) {
        const key = message.id ?? message.clientId;
        if (key === null || seen.has(key)) continue;
        seen.add(key);
        if (message.mine || Date.now() - message.ts > FRESH_MS || router.url.startsWith('/chat')) continue;
        untracked(() => outlet().show(message.text, `#${room.room} · ${message.from}`));
      }
    }
  });
}
