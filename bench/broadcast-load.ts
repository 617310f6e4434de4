/**
 * The load generator's broadcast case: a trigger client sends messages that
 * the flow sends on to many clients.
 */
import { measuringWindow, report } from "./load-window";
import { closeAll, openMany } from "./open-many";
import type { BroadcastCase, Measured } from "./protocol";
import { RawClient, textFrame } from "./raw-client";
import type { SourceAddresses } from "./source-addresses";

const frame = textFrame("b".repeat(64));

export async function runBroadcast(spec: BroadcastCase, addresses: SourceAddresses): Promise<void> {
  const clients = await openMany(spec.listenUrl, spec.clients, 64, addresses);
  const [trigger] = await openMany(spec.triggerUrl, 1, 1, addresses);
  const result = await deliver(spec, trigger!, clients);
  report({ event: "window-end", result });
  await closeAll([trigger!, ...clients]);
}

/** Counts deliveries to `receivers`; the trigger stays at most `spec.window` messages ahead of the slowest one. */
async function deliver(spec: BroadcastCase, trigger: RawClient, receivers: RawClient[]): Promise<Measured> {
  const ring = spec.window * 4;
  const arrivals = new Int32Array(ring);
  let sent = 0;
  let completed = 0;
  let counting = false;
  let stopped = false;
  let count = 0;
  const pump = (): void => {
    while (!stopped && sent - completed < spec.window) {
      sent++;
      trigger.send(frame);
    }
  };
  for (const receiver of receivers) {
    let received = 0;
    receiver.onFrames = (frames) => {
      if (counting) {
        count += frames;
      }
      for (let i = 0; i < frames; i++) {
        const slot = received++ % ring;
        if (++arrivals[slot]! === receivers.length) {
          arrivals[slot] = 0;
          completed++;
        }
      }
      pump();
    };
  }
  pump();
  const seconds = await measuringWindow(spec, (on) => (counting = on));
  stopped = true;
  return { count, seconds };
}
