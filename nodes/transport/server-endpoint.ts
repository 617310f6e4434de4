import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import type WebSocket from "ws";
import { WebSocketServer, type ServerOptions } from "ws";
import type { Channel, ChannelHandlers, CloseFrame, SendCallback } from "./channel";
import type { FrameData } from "./codec";
import { sessionGone } from "./errors";
import { CLOSE_GRACE_MS } from "./close-socket";
import { decideAccess, withoutTokens, type AccessDecision, type AccessRules, type Principal } from "./access";
import { LimitError, RefusedError } from "./errors";
import { forwardedFor, keptHeaders, NO_HEADERS } from "./handshake-headers";
import { DEFAULT_MAX_PAYLOAD, type SessionLimits } from "./limits";
import { Heartbeat } from "./heartbeat";
import { RandomIds } from "./ids";
import { refuse } from "./refuse";
import { parseRoomCommand } from "./room-commands";
import { Session, type SessionIo } from "./session";
import type { Handshake } from "./session-details";
import { SessionEndpoint } from "./session-endpoint";
import type { Target } from "./target";

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
  /** Request headers to keep in each session's handshake facts, by lower-case name; no others are kept. */
  keepHeaders?: readonly string[];
  /**
   * Trust a reverse proxy in front: take the client's address from
   * `X-Forwarded-For` (or `Forwarded`) rather than from the TCP connection,
   * which is the proxy's.
   */
  trustProxy?: boolean;
  /** Ping every session this often (ms); one that sends nothing for a whole interval is ended. 0: off. */
  heartbeatMs?: number;
  /** Let clients join and leave rooms themselves (see room-commands.ts). */
  clientRooms?: boolean;
  /** The largest message a client may send, in bytes (inflated size); DEFAULT_MAX_PAYLOAD. */
  maxPayload?: number;
  /** The most fragments one message may come in (`ws`'s own limit, 16384, when absent). */
  maxFragments?: number;
  /** The most sessions open at once; more are refused in the handshake with 503. Undefined: no limit. */
  maxSessions?: number;
  /** Rate and backpressure limits of each session (DEFAULT_LIMITS). */
  limits?: SessionLimits;
  /** Who may connect: token, origins, Basic credentials; checked before `verifyClient`. */
  access?: AccessRules;
  /**
   * permessage-deflate, when a client asks for it, for messages of at least
   * `threshold` bytes; undefined: off (`ws` advises against it by default, for
   * its memory and CPU cost). `maxPayload` holds for the inflated size.
   */
  compression?: { threshold: number };
}

/**
 * A WebSocket server endpoint that is handed upgrade requests for one path and
 * owns the sessions it accepts.
 */
export class ServerEndpoint extends SessionEndpoint implements Channel {
  private readonly server: WebSocketServer;
  private readonly io: SessionIo;
  /** Handshakes under way, counted against maxSessions with the open sessions. */
  private pending = 0;
  private readonly ids = new RandomIds();
  /** The request target of the last session opened (see adopt). */
  private lastUrl = "";
  readonly stopClose: CloseFrame = { code: CLOSE_GOING_AWAY, reason: "server stopping" };
  private readonly heartbeat: Heartbeat | undefined;

  constructor(
    private readonly handlers: ChannelHandlers,
    private readonly options: ServerEndpointOptions = {},
  ) {
    super();
    // `closeTimeout` is a public option of ws 8.23 that @types/ws does not list yet. A peer that
    // broke the protocol gets its close frame and a second to answer, not ws's 30 s: a fuzzer's
    // connections must not linger.
    const serverOptions: ServerOptions & { closeTimeout?: number } = {
      noServer: true,
      clientTracking: false,
      maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      closeTimeout: CLOSE_GRACE_MS,
    };
    if (options.maxFragments !== undefined) {
      serverOptions.maxFragments = options.maxFragments;
    }
    if (options.compression) {
      // Without its context kept between messages, `ws` 8 holds to the
      // threshold (with it, it compresses every message), and no session
      // keeps a compression window while idle.
      serverOptions.perMessageDeflate = { threshold: options.compression.threshold, serverNoContextTakeover: true };
    }
    const accepted = options.protocols ?? [];
    // An entry that carries a token is never chosen (it would be echoed back in the handshake).
    const tokenInProtocols = options.access?.token?.from.subprotocol === true;
    if (accepted.length > 0 || tokenInProtocols) {
      serverOptions.handleProtocols = (offered: Set<string>) => {
        const candidates = withoutTokens(offered);
        return (accepted.length > 0 ? candidates.find((protocol) => accepted.includes(protocol)) : candidates[0]) ?? false;
      };
    }
    if (options.verifyClient) {
      serverOptions.verifyClient = options.verifyClient;
    }
    this.server = new WebSocketServer(serverOptions);
    const sessionHandlers = options.clientRooms ? this.withRoomCommands(handlers) : handlers;
    this.io = this.sessionIo(sessionHandlers, options.limits, options.heartbeatMs);
    if (this.io.heartbeat) {
      this.heartbeat = new Heartbeat(options.heartbeatMs!, () => this.sessions.values());
    }
  }

  /** Completes a WebSocket handshake for a request the router matched to this endpoint. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.isStopping) {
      socket.destroy();
      return;
    }
    const { maxSessions, access } = this.options;
    if (maxSessions !== undefined && this.sessions.size + this.pending >= maxSessions) {
      refuse(socket, 503, "Service Unavailable");
      this.handlers.onError(new LimitError("maxSessions", `Refused a connection: ${maxSessions} sessions are open`), undefined);
      return;
    }
    const decision: AccessDecision = access ? decideAccess(request, access) : { ok: true, principal: undefined };
    if (!decision.ok) {
      refuse(socket, decision.status, decision.status === 401 ? "Unauthorized" : "Forbidden", access?.basic && decision.status === 401 ? 'WWW-Authenticate: Basic realm="WebSocket"\r\n' : "");
      this.handlers.onError(new RefusedError(decision.status, `Refused a connection from ${request.socket.remoteAddress ?? "?"}: ${decision.reason}`), undefined);
      return;
    }
    this.pending++;
    let settled = false;
    const settle = (): void => {
      if (!settled) {
        settled = true;
        this.pending--;
      }
    };
    // A handshake that fails (or that verifyClient refuses) never calls back: the socket's close ends it.
    socket.once("close", settle);
    this.server.handleUpgrade(request, socket, head, (ws) => {
      settle();
      socket.off("close", settle);
      this.adopt(ws, request, decision.principal);
    });
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
    const { sessions, gone } = this.sessions.select(target);
    this.broadcast(frame, sessions);
    callback(undefined, gone);
  }

  /**
   * Queues a frame for many sessions. It is done once queued: waiting for
   * every client's write would let one client that stops reading hold back
   * every broadcast (and keep its message alive). A client whose connection
   * fails meanwhile reports that through its own error and close.
   */
  private broadcast(frame: FrameData, sessions: Iterable<Session>): void {
    // Encode text once, not once per client; `binary: false` keeps it a text frame.
    const data = typeof frame === "string" ? Buffer.from(frame) : frame;
    const binary = typeof frame !== "string";
    for (const session of sessions) {
      if (session.isOpen) {
        session.sendEncoded(data, binary);
      }
    }
  }

  private adopt(socket: WebSocket, request: IncomingMessage, principal: Principal | undefined): void {
    if (this.isStopping) {
      // The handshake finished while the endpoint was stopping.
      socket.terminate();
      return;
    }
    const { trustProxy, keepHeaders } = this.options;
    const forwarded = trustProxy ? forwardedFor(request.headers) : undefined;
    const headers = keptHeaders(request.headers, keepHeaders ?? []);
    // Clients on one path with no query send the same target: they share one string, not one each.
    const target = request.url ?? "/";
    const url = target === this.lastUrl ? this.lastUrl : (this.lastUrl = target);
    const rare = forwarded !== undefined || principal !== undefined || headers !== NO_HEADERS ? { forwarded, headers, principal } : undefined;
    const handshake = new ServerHandshake(request.socket, url, rare);
    const session = new Session(this.ids.next(), socket, request.socket, handshake, this.io);
    this.sessions.add(session);
    this.handlers.onOpen(session);
  }

  /** Handlers that take a client's room commands out of its frames and carry them out. */
  private withRoomCommands(handlers: ChannelHandlers): ChannelHandlers {
    const rooms = this.sessions.rooms;
    return {
      onOpen: handlers.onOpen.bind(handlers),
      onError: handlers.onError.bind(handlers),
      onClose: handlers.onClose.bind(handlers),
      onDrops: (session, dropped, ended) => handlers.onDrops?.(session, dropped, ended),
      onMessage: (session, frame) => {
        const command = typeof frame === "string" ? parseRoomCommand(frame) : undefined;
        if (!command) {
          handlers.onMessage(session, frame);
          return;
        }
        for (const room of command.rooms) {
          if (command.type === "join") {
            rooms.join(session, room);
          } else {
            rooms.leave(session, room);
          }
        }
      },
    };
  }

  protected async shutDown(): Promise<void> {
    this.heartbeat?.stop();
    const { code, reason } = this.stopClose;
    await Promise.all([...this.sessions.values()].map((session) => session.close(code, reason, "stopping")));
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** What few handshakes have: a trusted proxy's word on the address, kept headers, a principal. */
interface RareFacts {
  readonly forwarded: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly principal: Principal | undefined;
}

/**
 * A listener session's handshake facts, in as few fields as will do: every
 * idle session carries them until its details are asked for. The peer's
 * address and port are read from the socket only then: each first read is a
 * system call, and a flow without session details never asks.
 */
class ServerHandshake implements Handshake {
  readonly openedAt = Date.now();

  constructor(
    private readonly socket: Socket,
    readonly url: string,
    private readonly rare: RareFacts | undefined,
  ) {}

  get side(): "listener" {
    return "listener";
  }

  get remoteAddress(): string {
    return this.rare?.forwarded || this.socket.remoteAddress || "";
  }

  get remotePort(): number {
    return this.socket.remotePort ?? 0;
  }

  get headers(): Readonly<Record<string, string>> {
    return this.rare?.headers ?? NO_HEADERS;
  }

  get principal(): Principal | undefined {
    return this.rare?.principal;
  }
}
