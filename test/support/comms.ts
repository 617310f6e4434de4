import WebSocket from "ws";
import { withTimeout } from "./peers";

/**
 * Listens on the editor's comms socket, as the Debug sidebar does, and
 * resolves with the first debug message that `match` accepts.
 */
export async function nextDebugMessage(
  port: number,
  match: (data: Record<string, unknown>) => boolean,
  ms: number,
): Promise<Record<string, unknown>> {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/comms`);
  try {
    return await withTimeout(
      new Promise<Record<string, unknown>>((resolvePromise, reject) => {
        socket.once("error", reject);
        socket.once("open", () => socket.send(JSON.stringify({ subscribe: "debug" })));
        socket.on("message", (data: WebSocket.RawData) => {
          // Comms sends batches: a JSON array of { topic, data }.
          const batch = JSON.parse(String(data)) as { topic: string; data: Record<string, unknown> }[];
          const found = batch.find((item) => item.topic === "debug" && match(item.data));
          if (found) {
            resolvePromise(found.data);
          }
        });
      }),
      ms,
      "matching debug message",
    );
  } finally {
    socket.terminate();
  }
}

