import { WritableSignal, computed, signal } from '@angular/core';
import type {
  ChatMessage, ChatRoom, ConnectionState, ConnectionStatus, Notification, RealtimeError, RealtimeEvent, RealtimeGap,
} from 'ngx-realtime-signals';
import type { NotificationSource } from '../shared/sources';

/* Plain objects of signals implementing the public contract, for the component specs. */

export interface FakeStatus extends ConnectionStatus {
  readonly state: WritableSignal<ConnectionState>;
  readonly attempt: WritableSignal<number>;
  readonly nextRetryAt: WritableSignal<number | null>;
  readonly lastError: WritableSignal<RealtimeError | null>;
  readonly retryNow: jest.Mock<void, []>;
}

export function fakeStatus(state: ConnectionState = 'idle'): FakeStatus {
  const stateSignal = signal<ConnectionState>(state);
  return {
    state: stateSignal,
    connected: computed(() => stateSignal() === 'open'),
    attempt: signal(0),
    nextRetryAt: signal<number | null>(null),
    lastError: signal<RealtimeError | null>(null),
    cursor: signal<string | null>(null),
    gap: signal<RealtimeGap | null>(null),
    retryNow: jest.fn<void, []>(),
  };
}

export function event<T>(id: string, data: T, type = 'note', topic = 'notifications'): RealtimeEvent<T> {
  return { id, topic, type, data, ts: Date.UTC(2026, 0, 1, 12, 0, Number(id.replace(/\D/g, '')) % 60) };
}

export interface FakeNotifications extends NotificationSource {
  readonly notifications: WritableSignal<readonly Notification<unknown>[]>;
  readonly markRead: jest.Mock<void, [string]>;
  readonly markAllRead: jest.Mock<void, []>;
  readonly dismiss: jest.Mock<void, [string]>;
}

/** Behaves like NotificationService's list: markRead/markAllRead/dismiss change the signal. */
export function fakeNotifications(items: readonly Notification<unknown>[] = []): FakeNotifications {
  const notifications = signal<readonly Notification<unknown>[]>(items);
  return {
    notifications,
    unreadCount: computed(() => notifications().filter((item) => !item.read).length),
    markRead: jest.fn((id: string) => notifications.update((list) => list.map((n) => (n.id === id ? { ...n, read: true } : n)))),
    markAllRead: jest.fn(() => notifications.update((list) => list.map((n) => ({ ...n, read: true })))),
    dismiss: jest.fn((id: string) => notifications.update((list) => list.filter((n) => n.id !== id))),
  };
}

export function notification(id: string, text: string, read = false): Notification<unknown> {
  return { ...event(id, { text }), read };
}

export interface FakeRoom extends ChatRoom {
  readonly joined: WritableSignal<boolean>;
  readonly messages: WritableSignal<readonly ChatMessage[]>;
  readonly members: WritableSignal<readonly string[]>;
  readonly typing: WritableSignal<readonly string[]>;
  readonly send: jest.Mock<ChatMessage, [string]>;
  readonly retry: jest.Mock<void, [string]>;
  readonly setTyping: jest.Mock<void, []>;
  readonly leave: jest.Mock<void, []>;
}

/** A room whose send() appends a pending message of 'me', as ChatService does. */
export function fakeRoom(name = 'general'): FakeRoom {
  const messages = signal<readonly ChatMessage[]>([]);
  const members = signal<readonly string[]>([]);
  let sent = 0;
  return {
    room: name,
    joined: signal(true),
    messages,
    members,
    memberCount: computed(() => members().length),
    typing: signal<readonly string[]>([]),
    send: jest.fn((text: string) => {
      sent += 1;
      const message = chatMessage({ clientId: `c${sent}`, id: null, text, from: 'me', mine: true, status: 'pending' });
      messages.update((list) => [...list, message]);
      return message;
    }),
    retry: jest.fn<void, [string]>(),
    setTyping: jest.fn<void, []>(),
    leave: jest.fn<void, []>(),
  };
}

export function chatMessage(partial: Partial<ChatMessage>): ChatMessage {
  return {
    clientId: null, id: null, room: 'general', from: 'ann', text: '', ts: Date.UTC(2026, 0, 1, 12, 0),
    status: 'sent', mine: false, ...partial,
  };
}
