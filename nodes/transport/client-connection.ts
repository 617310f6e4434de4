import type { SecureContextOptions } from "node:tls";
import WebSocket, { type ClientOptions } from "ws";
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import type { Channel, ChannelHandlers, CloseFrame, SendCallback } from "./channel";
import { closeSocket } from "./close-socket";
import type { FrameData } from "./codec";
import { connectFailure, upgradeRefused } from "./connect-failure";
import { FlowsocketError, sessionGone, toError } from "./errors";
import { Heartbeat } from "./heartbeat";
import { RandomIds } from "./ids";
import { checkProtocols } from "./protocols";
import { tunnelThrough } from "./proxy-tunnel";
import { ReadPacer } from "./read-pacer";
import { Session, type SessionHandlers, type SessionIo } from "./session";
import { SessionEndpoint } from "./session-endpoint";
import type { Target } from "./target";
import { WriteBatch } from "./write-batch";

/** Close code of a connection that the flow side ends on purpose (RFC 6455: normal closure). */
export const CLOSE_NORMAL = 1000;

/**
 * How long a connection attempt (TCP, proxy tunnel, TLS and the HTTP upgrade)
 * may take before it counts as failed and is retried: a server that accepts
 * connections but never answers would otherwise hold the client in
 * "connecting" for good.
 */
export const DEFAULT_HANDSHAKE_TIMEOUT_MS = 15000;

/** TLS settings for wss:// URLs, as a Node-RED `tls-config` node fills them in. */
export interface ClientTlsOptions extends Pick<SecureContextOptions, "ca" | "cert" | "key" | "passphrase"> {
  rejectUnauthorized?: boolean;
  servername?: string;
}

export interface ClientConnectionOptions {
  /** A ws:// or wss:// URL. */
  url: string;
  /** Subprotocols offered in the handshake, in order of preference. */
  protocols?: readonly string[];
  /** Extra handshake request headers. */
  headers?: Readonly<Record<string, string>>;
  tls?: ClientTlsOptions;
  /** An HTTP(S) proxy URL to tunnel through with CONNECT, or undefined to connect directly. */
  proxy?: string;
  /** Ping interval in milliseconds (at most MAX_TIMER_MS of heartbeat.ts); 0 turns the heartbeat off. */
  heartbeatMs?: number;
  /** Time allowed for each connection attempt, in milliseconds (DEFAULT_HANDSHAKE_TIMEOUT_MS). */
  handshakeTimeoutMs?: number;
  reconnect?: BackoffOptions;
}

/** Where a client connection is in its life. */
export type ConnectionState = "idle" | "connecting" | "open" | "waiting" | "closed";

/** Extra handler of a client connection: a connection attempt has started. */
export interface ClientHandlers extends ChannelHandlers {
  onConnecting(): void;
}

/**
 * A client connection to one URL that reconnects after every drop, with a
 * growing delay, until it is stopped. Each connection that opens is a new
 * session with a new id.
 */
/** Its sessions: at most one, the open connection, kept as a listener keeps its many. */
export class ClientConnection extends SessionEndpoint implements Channel {
  /** The URL connected to, parsed once. */
  readonly url: URL;
  /** The proxy tunnelled through, if any. */
  readonly proxy: URL | undefined;
  private readonly backoff: Backoff;
  private readonly io: SessionIo = { batch: new WriteBatch(), pacer: new ReadPacer() };
  private readonly ids = new RandomIds();
  private readonly sessionHandlers: SessionHandlers;
  private readonly quiet = (): boolean => this.stopping !== undefined;
  /** The socket of the attempt in progress or of the open session. */
  private socket: WebSocket | undefined;
  private heartbeat: Heartbeat | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  readonly stopClose: CloseFrame = { code: CLOSE_NORMAL, reason: "client stopping" };
  private stateValue: ConnectionState = "idle";

  /**
   * @throws FlowsocketError `FLOWSOCKET_ERR_INVALID_URL` when the URL is not a
   *   ws:// or wss:// URL, or the proxy is not an http:// or https:// URL;
   *   `FLOWSOCKET_ERR_INVALID_PROTOCOL` for a subprotocol `ws` would refuse.
   */
  constructor(
    private readonly options: ClientConnectionOptions,
    private readonly handlers: ClientHandlers,
  ) {
    super();
    this.url = parseWebSocketUrl(options.url);
    checkProtocols(options.protocols ?? []);
    this.proxy = options.proxy === undefined ? undefined : parseProxyUrl(options.proxy);
    this.backoff = new Backoff(options.reconnect ?? DEFAULT_BACKOFF);
    this.sessionHandlers = this.sessions.handlersFor(handlers);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Starts connecting; later calls do nothing. */
  start(): void {
    if (this.stateValue === "idle") {
      this.connect();
    }
  }

  send(frame: FrameData, target: Target, callback: SendCallback): void {
    if (this.stateValue !== "open") {
      callback(this.notConnected());
      return;
    }
    // A reply meant for an earlier connection finds its session gone.
    const { sessions, gone } = this.sessions.resolve(target);
    const session = sessions[0];
    if (!session) {
      callback(target.kind === "session" ? sessionGone(target.id) : undefined, gone);
      return;
    }
    session.send(frame, (error) => {
      // The connection dropped while the frame waited in the write batch.
      const dropped = error instanceof FlowsocketError && error.code === "FLOWSOCKET_ERR_SESSION_GONE";
      callback(dropped ? this.notConnected() : error, gone);
    });
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutDown();
    return this.stopping;
  }

  private notConnected(): FlowsocketError {
    return new FlowsocketError("FLOWSOCKET_ERR_NOT_CONNECTED", `Not connected to ${this.url.href}`);
  }

  private connect(): void {
    this.retryTimer = undefined;
    this.stateValue = "connecting";
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.url, [...(this.options.protocols ?? [])], this.clientOptions());
    } catch (error) {
      // Settings `ws` or `http` reject up front (a header value with a line
      // break, say) would fail the same way at every retry: report and stop.
      this.stateValue = "closed";
      this.handlers.onError(toError(error), undefined);
      return;
    }
    this.socket = socket;
    // Until the open, failures are the attempt's, classified by what failed,
    // and reported once: `ws` emits an error and then closes.
    let failed = false;
    const attemptOnError = (error: Error): void => {
      if (!this.stopping && !failed) {
        failed = true;
        this.handlers.onError(connectFailure(toError(error)), undefined);
      }
    };
    socket.on("error", attemptOnError);
    socket.on("unexpected-response", (request, response) => {
      // Handled here rather than by `ws`, which would report only a sentence:
      // the status is what tells "nothing on that path" from "not allowed".
      response.resume();
      request.destroy(upgradeRefused(response.statusCode ?? 0));
    });
    socket.once("open", () => {
      socket.off("error", attemptOnError);
      this.stateValue = "open";
      this.backoff.reset();
      const handshake = {
        remoteAddress: this.url.hostname,
        remotePort: Number(this.url.port) || (this.url.protocol === "wss:" ? 443 : 80),
        url: this.url.href,
        protocol: socket.protocol,
        openedAt: Date.now(),
        headers: {},
      };
      const session = new Session(this.ids.next(), socket, handshake, this.io, this.sessionHandlers, this.quiet);
      this.sessions.add(session);
      if ((this.options.heartbeatMs ?? 0) > 0) {
        this.heartbeat = new Heartbeat(this.options.heartbeatMs!, () => this.sessions.values());
      }
      this.handlers.onOpen(session);
    });
    socket.on("close", () => {
      this.heartbeat?.stop();
      this.heartbeat = undefined;
      this.socket = undefined;
      if (this.stopping) {
        this.stateValue = "closed";
        return;
      }
      this.stateValue = "waiting";
      this.retryTimer = setTimeout(() => this.connect(), this.backoff.next());
    });
    this.handlers.onConnecting();
  }

  private clientOptions(): ClientOptions {
    const timeout = this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const options: ClientOptions = { ...this.options.tls, handshakeTimeout: timeout };
    if (this.options.headers) {
      options.headers = { ...this.options.headers };
    }
    if (this.proxy) {
      // @types/node types this as net.createConnection, but http.request also
      // takes the callback form that a tunnel needs (see proxy-tunnel.ts).
      options.createConnection = tunnelThrough(this.proxy, this.url.protocol === "wss:", timeout) as unknown as ClientOptions["createConnection"];
    }
    return options;
  }

  private async shutDown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const [session] = this.sessions.values();
    if (session) {
      await session.close(this.stopClose.code, this.stopClose.reason, "stopping");
    } else if (this.socket) {
      await closeSocket(this.socket, this.stopClose.code, this.stopClose.reason);
    }
    this.stateValue = "closed";
  }
}

/**
 * Parses and checks a client URL.
 *
 * @throws FlowsocketError `FLOWSOCKET_ERR_INVALID_URL`
 */
export function parseWebSocketUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw new FlowsocketError("FLOWSOCKET_ERR_INVALID_URL", `Invalid WebSocket URL: ${url}`);
  }
  if ((parsed.protocol !== "ws:" && parsed.protocol !== "wss:") || parsed.hostname === "") {
    throw new FlowsocketError("FLOWSOCKET_ERR_INVALID_URL", `Invalid WebSocket URL: ${url} (use ws:// or wss://)`);
  }
  return parsed;
}

function parseProxyUrl(proxy: string): URL {
  try {
    const parsed = new URL(proxy);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") {
      return parsed;
    }
  } catch {
    // Reported below with the value that was given.
  }
  throw new FlowsocketError("FLOWSOCKET_ERR_INVALID_URL", `Invalid proxy URL: ${proxy} (use http:// or https://)`);
}
