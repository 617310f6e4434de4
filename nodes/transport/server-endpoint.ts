import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import type WebSocket from "ws";
import { WebSocketServer, type ServerOptions } from "ws";
import type { Channel, ChannelHandlers, SendCallback } from "./channel";
import type { FrameData } from "./codec";
import { sessionGone } from "./errors";
import { RandomIds } from "./ids";
import { ReadPacer } from "./read-pacer";
import { Session, type SessionHandlers, type SessionIo } from "./session";
import { SessionRegistry } from "./sessions";
import type { Target } from "./target";
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
  private readonly io: SessionIo = { batch: new WriteBatch(), pacer: new ReadPacer() };
  private readonly ids = new RandomIds();
  private readonly sessionHandlers: SessionHandlers;
  /** While stopping, sockets cut off by the close are expected to fail: sessions keep quiet. */
  private readonly quiet = (): boolean => this.stopping !== undefined;
  private stopping: Promise<void> | undefined;

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
    this.sessionHandlers = this.sessions.handlersFor(handlers);
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Completes a WebSocket handshake for a request the router matched to this endpoint. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.stopping) {
      socket.destroy();
      return;
    }
    this.server.handleUpgrade(request, socket, head, (ws) => this.adopt(ws, request));
  }

  send(frame: FrameData, target: Target, callback: SendCallback): void {
    if (target.kind === "session") {
      const session = this.sessions.get(target.id);
      if (!session) {
        callback(sessionGone(target.id));
        return;
      }
      session.send(frame, callback);
      return;
    }
    const { sessions, gone } = this.sessions.resolve(target);
    this.broadcast(frame, sessions);
    callback(undefined, gone);
  }

  close(target: Target, code: number, reason: string): Promise<readonly string[]> {
    return this.sessions.close(target, code, reason);
  }

  stop(): Promise<void> {
    this.stopping ??= this.stopAll();
    return this.stopping;
  }

  /**
   * Queues a frame for many sessions. It is done once queued: waiting for
   * every client's write would let one client that stops reading hold back
   * every broadcast (and keep its message alive). A client whose connection
   * fails meanwhile reports that through its own error and close.
   */
  private broadcast(frame: FrameData, sessions: readonly Session[]): void {
    // Encode text once, not once per client; `binary: false` keeps it a text frame.
    const data = typeof frame === "string" ? Buffer.from(frame) : frame;
    const binary = typeof frame !== "string";
    for (const session of sessions) {
      if (session.isOpen) {
        session.sendEncoded(data, binary);
      }
    }
  }

  private adopt(socket: WebSocket, request: IncomingMessage): void {
    if (this.stopping) {
      // The handshake finished while the endpoint was stopping.
      socket.terminate();
      return;
    }
    const handshake = {
      remoteAddress: request.socket.remoteAddress ?? "",
      remotePort: request.socket.remotePort ?? 0,
      url: request.url ?? "/",
      protocol: socket.protocol,
      openedAt: Date.now(),
    };
    const session = new Session(this.ids.next(), socket, handshake, this.io, this.sessionHandlers, this.quiet);
    this.sessions.add(session);
    this.handlers.onOpen(session);
  }

  private async stopAll(): Promise<void> {
    await Promise.all([...this.sessions.values()].map((session) => session.close(CLOSE_GOING_AWAY, "server stopping")));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
