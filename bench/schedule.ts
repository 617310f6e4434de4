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
    for (let i = 0; i < targets.length; i++) {
      runs.push({ target: targets[(i + repeat) % targets.length]!, repeat });
    }
  }
  return runs;
}
