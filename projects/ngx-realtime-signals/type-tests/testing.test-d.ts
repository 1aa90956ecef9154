/** TestConnectionFor: what expectOne/expectNext/match hand back for each kind of match. */
import { inject } from '@angular/core';
import type { RealtimeEvent } from 'ngx-realtime-signals';
import {
  RealtimeTestingController,
  type TestConnection,
  type TestConnectionFor,
  type TestPoll,
  type TestSocket,
  type TestStream,
} from 'ngx-realtime-signals/testing';
import { expectType } from './type-assert';

expectType<TestStream>()(null as unknown as TestConnectionFor<{ transport: 'sse'; topic: 'news' }>);
expectType<TestPoll>()(null as unknown as TestConnectionFor<{ transport: 'poll' }>);
expectType<TestSocket>()(null as unknown as TestConnectionFor<{ transport: 'chat'; room: 'lobby' }>);
expectType<TestConnection>()(null as unknown as TestConnectionFor<(c: TestConnection) => boolean>);

const realtime = inject(RealtimeTestingController);
const stream = realtime.expectOne({ transport: 'sse', topic: 'news' });
expectType<TestStream>()(stream);
expectType<Promise<TestPoll>>()(realtime.expectNext({ transport: 'poll', topic: 'orders' }));
expectType<TestSocket[]>()(realtime.match({ transport: 'chat' }));
expectType<TestConnection>()(realtime.expectOne((c) => c.active));

// Handles keep the event data type they are given.
expectType<RealtimeEvent<{ text: string }>>()(stream.event({ data: { text: 'hi' } }));
expectType<RealtimeEvent<{ text: string }>>()(stream.event<{ text: string }>({ data: { text: 'hi' } }));
// @ts-expect-error an SSE handle does not answer polls
stream.flush();
// @ts-expect-error a transport this library does not have
realtime.expectOne({ transport: 'grpc' });
