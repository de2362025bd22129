/**
 * Fixtures shared by the library's tests: they make time and settlement visible, so a
 * test body reads like a timeline.
 */

/** A promise with its resolve and reject at hand (Node 20 has no Promise.withResolvers). */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

/** A promise the test settles by hand. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A clock that stands still until the test advances it (starts at `start` ms). */
export function fakeClock(start = 1000): (() => number) & { advance(ms: number): void } {
  let t = start;
  const clock = () => t;
  clock.advance = (ms: number) => {
    t += ms;
  };
  return clock;
}
