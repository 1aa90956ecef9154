import type { RealtimeTransportKind, TransportFallbackOptions } from '../core/transports/transport-kind';

const KINDS: readonly RealtimeTransportKind[] = ['websocket', 'sse', 'long-poll'];

/**
 * Validates `transports` and `transportFallback`: known kinds, each at most once,
 * at least one; durations non-negative integers (head start and first-frame
 * deadline at least 1 ms). A bad value throws at `provideRealtime`, naming it. A
 * development-mode check: the app's setup meets it in development first.
 */
export function checkTransports(transports: readonly RealtimeTransportKind[] | undefined, fallback: TransportFallbackOptions): void {
  if (transports !== undefined) {
    if (!Array.isArray(transports) || transports.length === 0) {
      throw new TypeError('provideRealtime: transports must list at least one of "websocket", "sse", "long-poll".');
    }
    for (const kind of transports) {
      if (!KINDS.includes(kind)) {
        throw new TypeError(`provideRealtime: unknown transport ${JSON.stringify(kind)}; use "websocket", "sse" or "long-poll".`);
      }
    }
    if (new Set(transports).size !== transports.length) throw new TypeError('provideRealtime: transports lists a transport twice.');
  }
  for (const [name, min] of [
    ['headStartMs', 1],
    ['firstFrameMs', 1],
    ['rememberMs', 0],
    ['reprobeMs', 0],
  ] as const) {
    const value = fallback[name];
    if (!Number.isInteger(value) || value < min) {
      throw new TypeError(`provideRealtime: transportFallback.${name} must be an integer of at least ${min} ms, got ${String(value)}.`);
    }
  }
}

/**
 * The order a service uses: the configured one restricted to what the service
 * can speak, or the service's own default when the configuration names none of those.
 */
export function serviceOrder(
  configured: readonly RealtimeTransportKind[] | null,
  supported: readonly RealtimeTransportKind[],
): readonly RealtimeTransportKind[] {
  if (configured === null) return supported;
  const order = configured.filter((kind) => supported.includes(kind));
  return order.length > 0 ? order : supported;
}
