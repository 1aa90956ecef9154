// Small statistics and waiting helpers shared by the load benchmarks.

export function median(values) {
  return quantile(values, 0.5);
}

export function p95(values) {
  return quantile(values, 0.95);
}

/** Nearest-rank quantile (no interpolation: every figure is one that was measured). */
export function quantile(values, q) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

export const round = (value, digits = 1) => Number(value.toFixed(digits));

export const mib = (bytes) => round(bytes / 1024 / 1024, 1);

export const now = () => performance.now();

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` every `everyMs` until it holds; rejects with `what` after `timeoutMs`. */
export async function waitFor(condition, what, timeoutMs, everyMs = 20) {
  const deadline = now() + timeoutMs;
  while (!condition()) {
    if (now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
