import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import WebSocket, { WebSocketServer, type ServerOptions } from "ws";
import type { Channel, ChannelHandlers, SendCallback } from "./channel";
import { closeSocket } from "./close-socket";
import { decodeFrame, type FrameData } from "./codec";
import { sessionGone, toError } from "./errors";
import { RandomIds } from "./ids";
import { ReadPacer } from "./read-pacer";
import { SessionRegistry, type Session } from "./sessions";
import { WriteBatch } from "./write-batch";

/** Close code sent to clients when the endpoint stops (RFC 6455: the endpoint is going away). */
export const CLOSE_GOING_AWAY = 1001;

export interface ServerEndpointOptions {
  /**
   * Subprotocols this endpoint accepts. When not empty, the first protocol the
   * client offers that is in this list is chosen; a client offering none of
   * them is still accepted, without a protocol. When empty, `ws`'s default
   * applies (the client's first offer).
   */
  protocols?: readonly string[];
  /** Passed to `ws` as is: Node-RED's `webSocketNodeVerifyClient` setting. */
  verifyClient?: ServerOptions["verifyClient"];
}

/**
 * A WebSocket server endpoint that is handed upgrade requests for one path and
 * owns the sessions it accepts.
 */
export class ServerEndpoint implements Channel {
  private readonly server: WebSocketServer;
  private readonly sessions = new SessionRegistry();
  private readonly batch = new WriteBatch();
  private readonly ids = new RandomIds();
  private readonly pacer = new ReadPacer();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly handlers: ChannelHandlers,
    options: ServerEndpointOptions = {},
  ) {
    const serverOptions: ServerOptions = { noServer: true, clientTracking: false };
    const accepted = options.protocols ?? [];
    if (accepted.length > 0) {
      serverOptions.handleProtocols = (offered: Set<string>) => {
        for (const protocol of offered) {
          if (accepted.includes(protocol)) {
            return protocol;
          }
        }
        return false;
      };
    }
    if (options.verifyClient) {
      serverOptions.verifyClient = options.verifyClient;
    }
    this.server = new WebSocketServer(serverOptions);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Completes a WebSocket handshake for a request the router matched to this endpoint. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.adopt(ws));
  }

  send(frame: FrameData, sessionId: string | undefined, callback: SendCallback): void {
    if (sessionId !== undefined) {
      const session = this.sessions.get(sessionId);
      if (!session) {
        callback(sessionGone(sessionId));
        return;
      }
      this.batch.hold(session.socket);
      session.socket.send(frame, (error) => callback(error && sessionGoneOr(error, session)));
      return;
    }
    this.broadcast(frame);
    callback();
  }

  close(): Promise<void> {
    this.closing ??= this.closeAll();
    return this.closing;
  }

  /**
   * Queues a frame for every open session. A broadcast is done once queued:
   * waiting for every client's write would let one client that stops reading
   * hold back every broadcast (and keep its message alive). A client whose
   * connection fails meanwhile reports that through its own error and close.
   */
  private broadcast(frame: FrameData): void {
    // Encode text once, not once per client; `binary: false` keeps it a text frame.
    const data = typeof frame === "string" ? Buffer.from(frame) : frame;
    const options = { binary: typeof frame !== "string" };
    for (const session of this.sessions.values()) {
      if (session.socket.readyState === WebSocket.OPEN) {
        this.batch.hold(session.socket);
        session.socket.send(data, options);
      }
    }
  }

  private adopt(socket: WebSocket): void {
    if (this.closing) {
      // The handshake finished while the endpoint was stopping.
      socket.terminate();
      return;
    }
    const session: Session = { id: this.ids.next(), socket };
    this.sessions.add(session);
    const paced = this.pacer.track(socket);
    socket.on("message", (data, isBinary) => {
      paced();
      this.handlers.onMessage(session, decodeFrame(data, isBinary));
    });
    socket.on("error", (error) => {
      // While stopping, sockets cut off by the close are expected to fail.
      if (!this.closing) {
        this.handlers.onError(toError(error), session);
      }
    });
    socket.on("close", (code, reason) => {
      this.sessions.delete(session.id);
      this.handlers.onClose(session, code, reason.toString());
    });
    this.handlers.onOpen(session);
  }

  private async closeAll(): Promise<void> {
    const closes = [...this.sessions.values()].map((session) =>
      closeSocket(session.socket, CLOSE_GOING_AWAY, "server stopping"),
    );
    await Promise.all(closes);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A send that failed because the session closed meanwhile (its peer dropped
 * while the frame waited in a write batch, say) is reported as the session
 * being gone, which is what happened, rather than as a stream error.
 */
function sessionGoneOr(error: Error, session: Session): Error {
  return session.socket.readyState === WebSocket.OPEN
    ? error
    : sessionGone(session.id);
}
