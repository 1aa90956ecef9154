import type { RealtimeError, RealtimeEvent } from '../core/types';
import type { PollRequest, PollResponse } from '../core/transports/realtime-transports';
import type { RealtimeTransportKind } from '../core/transports/transport-kind';

/** A chat frame as it crosses the socket (JSON object with a `type`). */
export type Frame = { type: string; [key: string]: unknown };

/**
 * What the tabs of one origin say to each other over the channel. Every tab
 * sees every message (BroadcastChannel has no addressing): `to` names the tab
 * an answer is for, `uid` the leader's upstream a relayed frame belongs to, and
 * `epoch` the leadership a frame was sent under, so frames of a deposed leader
 * are recognised and dropped.
 */
export type TabMessage =
  // election
  | { t: 'leader'; epoch: number; tab: string }
  | { t: 'hello'; tab: string }
  | { t: 'bye'; tab: string; orphans: OrphanSend[] }
  // tab -> leader (to = the leader's tab id)
  | { t: 's-attach'; to: string; from: string; sub: string; url: string; topic: string; cursor: string | null; headers: Record<string, string> }
  | { t: 's-detach'; to: string; from: string; sub: string }
  | ({ t: 'p-poll'; to: string; from: string; req: string } & Omit<PollRequest, 'signal'>)
  | { t: 'p-cancel'; to: string; from: string; req: string }
  | { t: 'w-attach'; to: string; from: string; sub: string; url: string }
  | { t: 'w-send'; to: string; from: string; sub: string; frame: Frame }
  | { t: 'w-detach'; to: string; from: string; sub: string }
  // leader -> tabs
  /** `kind`: the transport the leader's race chose for the upstream (null until it chose). */
  | { t: 's-attached'; epoch: number; to: string; sub: string; uid: string; open: boolean; kind: RealtimeTransportKind | null; position: string | null }
  | { t: 's-open'; epoch: number; uid: string; kind: RealtimeTransportKind | null }
  | { t: 's-event'; epoch: number; uid: string; prev: string | null; event: RealtimeEvent }
  | { t: 's-position'; epoch: number; uid: string; prev: string | null; cursor: string | null }
  | { t: 's-reset'; epoch: number; uid: string; prev: string | null; cursor: string }
  | { t: 's-hint'; epoch: number; uid: string; ms: number }
  | { t: 's-activity'; epoch: number; uid: string }
  | { t: 's-closed'; epoch: number; uid: string; error: RealtimeError }
  | { t: 'p-answer'; epoch: number; to: string; req: string; response: PollResponse }
  | { t: 'p-error'; epoch: number; to: string; req: string; error: RealtimeError }
  | { t: 'w-attached'; epoch: number; to: string; sub: string; uid: string; open: boolean; kind: RealtimeTransportKind | null }
  | { t: 'w-open'; epoch: number; uid: string; kind: RealtimeTransportKind | null }
  /** A frame for every tab on the upstream (welcome, message, presence, typing); `prev` chains a room's messages. */
  | { t: 'w-frame'; epoch: number; uid: string; frame: Frame; prev?: string | null }
  /** A frame for one virtual socket (joined, left, ack, error, pong, a late joiner's welcome). */
  | { t: 'w-to'; epoch: number; to: string; sub: string; frame: Frame }
  | { t: 'w-closed'; epoch: number; uid: string; error: RealtimeError };

/** A chat send a closing tab had handed to the socket but saw no ack for; the leader sends it again (the server dedups by clientId). */
export interface OrphanSend {
  /** The socket URL without its token: sends are only adopted by a socket of the same user. */
  key: string;
  frame: Frame;
  at: number;
}

/** Leader-bound messages: handled by the hub of the tab they are addressed to. */
export type HubMessage = Extract<TabMessage, { from: string }>;
/** Messages carrying an epoch: sent by a leader. */
export type LeaderMessage = Extract<TabMessage, { epoch: number }>;

export function isHubMessage(message: TabMessage): message is HubMessage {
  return 'from' in message;
}

export function isLeaderMessage(message: TabMessage): message is LeaderMessage {
  return 'epoch' in message && message.t !== 'leader';
}

/**
 * Which socket a chat URL may share: the URL without `access_token` plus who the
 * token says the user is, so tabs of one user share a socket across token
 * refreshes and tabs of different users never do.
 */
export function socketKey(url: string): string {
  const token = /[?&]access_token=([^&#]*)/.exec(url)?.[1];
  const bare = url.replace(/([?&])access_token=[^&#]*(&?)/, (_m, sep: string, tail: string) => (tail ? sep : '')).replace(/[?&]$/, '');
  return `${bare} ${identity(token === undefined ? null : decodeURIComponent(token))}`;
}

/** Which stream or poll a request may share: its URL and who its `Authorization` header says the user is. */
export function requestKey(url: string, headers: Record<string, string>): string {
  const auth = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1] ?? null;
  return `${url} ${identity(auth === null ? null : auth.replace(/^Bearer\s+/i, ''))}`;
}

/** The user a token stands for: a JWT's `sub` (tokens of one user share), else the token itself. */
export function identity(token: string | null): string {
  if (token === null || token === '') return '';
  const payload = token.split('.')[1];
  if (payload) {
    try {
      const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
      const sub = (JSON.parse(json) as { sub?: unknown }).sub;
      if (typeof sub === 'string') return `sub:${sub}`;
    } catch {
      // not a JWT: the token itself decides
    }
  }
  return `token:${token}`;
}
