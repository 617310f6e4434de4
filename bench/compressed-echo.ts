/**
 * The load generator's compressed echo: its permessage-deflate server sends
 * compressible messages to one of Node-RED's client connections, which
 * echoes them back through its in and out nodes, and the round trips are
 * timed. Node-RED is the client here because core compresses only as a
 * client: its `websocket-client` takes `ws`'s client default, which offers
 * permessage-deflate, while its listener leaves it off (`ws`'s server
 * default). The raw clients of the other echo cases cannot deflate, and a
 * `ws` client in their place would find core's listener declining the
 * extension: the two would not be doing the same work.
 */
import { compressibleMessages } from "./compressible";
import { measuringWindow, report } from "./load-window";
import type { Peer } from "./peer-server";
import type { CompressedEchoCase } from "./protocol";
import { RoundTrips } from "./round-trips";

/** Different messages sent in turn: 64 of about 1 KiB, over twice deflate's window (see compressible.ts). */
const messages = compressibleMessages(64);
const smallest = Math.min(...messages.map((message) => message.length));

export async function runCompressedEcho(spec: CompressedEchoCase, peer: Peer): Promise<void> {
  // What the handshake agreed on: without the extension the case would time a plain echo of 1 KiB.
  if (!peer.socket.extensions.split(",").includes("permessage-deflate")) {
    throw new Error(`${spec.path}: permessage-deflate was not negotiated (extensions: "${peer.socket.extensions}")`);
  }
  const trips = new RoundTrips();
  const inFlight = trips.connection();
  let next = 0;
  let stopped = false;
  let drained = (): void => {};
  const send = (): void => {
    inFlight.sent(1);
    peer.socket.send(messages[next++ % messages.length]!);
  };
  const onMessage = (): void => {
    inFlight.returned(1);
    if (!stopped) {
      send();
    } else if (inFlight.outstanding === 0) {
      drained();
    }
  };
  peer.socket.on("message", onMessage);
  for (let i = 0; i < spec.inflight; i++) {
    send();
  }
  let bytesAtStart = 0;
  let wire = 0;
  const seconds = await measuringWindow(spec, (on) => {
    trips.counting = on;
    if (on) {
      bytesAtStart = peer.tcp.bytesRead;
    } else {
      wire = peer.tcp.bytesRead - bytesAtStart;
    }
  });
  // The connection stays for the next run: the messages still on their way come back first.
  stopped = true;
  if (inFlight.outstanding > 0) {
    await new Promise<void>((resolve) => (drained = resolve));
  }
  peer.socket.off("message", onMessage);
  const measured = trips.measured(seconds);
  const wireBytes = measured.count > 0 ? wire / measured.count : 0;
  // Agreed is not enough: a client may still send a message uncompressed (under its threshold, say).
  if (!(wireBytes > 0 && wireBytes < smallest)) {
    throw new Error(
      `${spec.path}: Node-RED's replies took ${wireBytes.toFixed(0)} bytes each on the wire for messages of ${smallest} bytes or more: not compressed`,
    );
  }
  report({ event: "window-end", result: { ...measured, wireBytes } });
}
