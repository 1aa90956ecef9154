/**
 * Compile-time assertions for the type tests (`*.test-d.ts`, checked by
 * `npm run test:types`). Nothing here runs: `tsc` fails when a type is not
 * exactly the expected one.
 */

/** True when A and B are the same type (not merely assignable to each other). */
export type Equal<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;

/** Fails to compile unless `Actual` is exactly `Expected`. */
export function expectType<Expected>() {
  return <Actual>(_value: Actual, ..._exact: Equal<Actual, Expected> extends true ? [] : [never]): void => undefined;
}
