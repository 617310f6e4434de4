import WebSocket from "ws";
import { withTimeout } from "./peers";

/**
 * Listens on the editor's comms socket, as the Debug sidebar does, and
 * resolves with the first debug message that `match` accepts.
 */
export function nextDebugMessage(
  port: number,
  match: (data: Record<string, unknown>) => boolean,
  ms: number,
): Promise<Record<string, unknown>> {
  return nextCommsMessage(port, "debug", match, ms);
}

/**
 * Listens on the editor's comms socket and resolves with the data of the
 * first message on `topic` (such as `debug`, or `status/<node id>` for a
 * node's status) that `match` accepts. Subscribing makes Node-RED send the
 * retained messages of the topic first, so a node's current status counts.
 */
export async function nextCommsMessage(
  port: number,
  topic: string,
  match: (data: Record<string, unknown>) => boolean,
  ms: number,
): Promise<Record<string, unknown>> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/comms`);
  try {
    return await withTimeout(
      new Promise<Record<string, unknown>>((resolvePromise, reject) => {
        socket.once("error", reject);
        socket.once("open", () => socket.send(JSON.stringify({ subscribe: topic })));
        socket.on("message", (data: WebSocket.RawData) => {
          // Comms sends batches: a JSON array of { topic, data }.
          const batch = JSON.parse(String(data)) as { topic: string; data: Record<string, unknown> }[];
          const found = batch.find((item) => item.topic === topic && match(item.data));
          if (found) {
            resolvePromise(found.data);
          }
        });
      }),
      ms,
      `matching ${topic} message`,
    );
  } finally {
    socket.terminate();
  }
}
