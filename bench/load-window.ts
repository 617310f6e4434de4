/** The load generator's side of a measuring window, and its reports to the orchestrator. */
import { performance } from "node:perf_hooks";
import type { GeneratorEvent } from "./protocol";

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function report(event: GeneratorEvent): void {
  process.send?.(event);
}

/** Resolves after the warm-up, reports the window, and resolves with its length in seconds. */
export async function measuringWindow(spec: { warmupMs: number; durationMs: number }, counting: (on: boolean) => void): Promise<number> {
  await sleep(spec.warmupMs);
  report({ event: "window-start" });
  counting(true);
  const started = performance.now();
  await sleep(spec.durationMs);
  counting(false);
  report({ event: "window-closed" });
  return (performance.now() - started) / 1000;
}
