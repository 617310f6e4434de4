/** The order in which one case's runs go, over the repeats. */

export interface Run<T> {
  target: T;
  /** Which repeat this run belongs to, from 0. */
  repeat: number;
}

/**
 * Every target once per repeat, with who goes first rotating from one repeat
 * to the next, so that no target always runs on a warmer or a more loaded
 * machine. With two targets this interleaves them as a b, b a, a b, …: a
 * steady drift falls on both alike.
 */
export function schedule<T>(targets: readonly T[], repeats: number): Run<T>[] {
  const runs: Run<T>[] = [];
  for (let repeat = 0; repeat < repeats; repeat++) {
    runs.push(...inTurn(targets, repeat));
  }
  return runs;
}

/** Every target once, in the order of repeat `repeat` (see schedule). */
export function inTurn<T>(targets: readonly T[], repeat: number): Run<T>[] {
  return targets.map((_target, i) => ({ target: targets[(i + repeat) % targets.length]!, repeat }));
}
