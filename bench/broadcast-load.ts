/**
 * The load generator's broadcast case: a trigger client sends messages that
 * the flow sends on to many clients, to all of them or to one room of them.
 */
import { performance } from "node:perf_hooks";
import { measuringWindow, report, sleep } from "./load-window";
import { closeAll, openMany } from "./open-many";
import type { BroadcastCase, Measured } from "./protocol";
import { RawClient, textFrame } from "./raw-client";
import { ROOM_SENT_TO, roomOf } from "./session-fixtures";
import type { SourceAddresses } from "./source-addresses";

const frame = textFrame("b".repeat(64));

export async function runBroadcast(spec: BroadcastCase, addresses: SourceAddresses): Promise<void> {
  const clients = await openMany(spec.listenUrl, spec.clients, 64, addresses, spec.headers);
  const [trigger] = await openMany(spec.triggerUrl, 1, 1, addresses, spec.headers);
  const room = spec.rooms ? await joinRooms(clients, spec.rooms, trigger!) : undefined;
  const result = await deliver(spec, trigger!, room?.members ?? clients);
  if (room && room.strays() > 0) {
    throw new Error(`${room.strays()} frames reached clients outside room ${ROOM_SENT_TO}`);
  }
  report({ event: "window-end", result });
  await closeAll([trigger!, ...clients]);
}

/**
 * Has client i join room r(i % rooms) with a join frame, and resolves with
 * the members of the room the flow sends to. The server takes each join as
 * its frame arrives and says nothing back, so the trigger sends a probe every
 * 20 ms until every member has had one; then the probes still on their way
 * are let in (no frame for 200 ms), so that all members start the measured
 * part at the same message. Frames to the other clients are counted: any
 * means the send went past the room.
 */
async function joinRooms(clients: RawClient[], rooms: number, trigger: RawClient): Promise<{ members: RawClient[]; strays: () => number }> {
  const members: RawClient[] = [];
  let strays = 0;
  clients.forEach((client, i) => {
    const room = roomOf(i, rooms);
    client.send(textFrame(JSON.stringify({ type: "join", room })));
    if (room === ROOM_SENT_TO) {
      members.push(client);
    } else {
      client.onFrames = (frames) => (strays += frames);
    }
  });
  const waiting = new Set(members);
  let lastFrame = performance.now();
  for (const member of members) {
    member.onFrames = () => {
      waiting.delete(member);
      lastFrame = performance.now();
    };
  }
  const deadline = performance.now() + 10000;
  while (waiting.size > 0) {
    if (performance.now() > deadline) {
      throw new Error(`${waiting.size} of ${members.length} clients got nothing sent to room ${ROOM_SENT_TO} within 10 s`);
    }
    trigger.send(frame);
    await sleep(20);
  }
  while (performance.now() - lastFrame < 200) {
    await sleep(50);
  }
  return { members, strays: () => strays };
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
