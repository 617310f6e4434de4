import type { SecureContextOptions } from "node:tls";
import WebSocket, { type ClientOptions } from "ws";
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import type { Channel, ChannelHandlers, SendCallback } from "./channel";
import { closeSocket } from "./close-socket";
import { connectFailure, upgradeRefused } from "./connect-failure";
import { decodeFrame, type FrameData } from "./codec";
import { FlowsocketError, sessionGone, toError } from "./errors";
import { Heartbeat } from "./heartbeat";
import { tunnelThrough } from "./proxy-tunnel";
import { checkProtocols } from "./protocols";
import { RandomIds } from "./ids";
import { ReadPacer } from "./read-pacer";
import type { Session } from "./sessions";
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

/** The longest interval a Node.js timer can wait; longer ones fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

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
  /** Ping interval in milliseconds, at most MAX_TIMER_MS; 0 turns the heartbeat off. */
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
 * growing delay, until it is closed. Each connection that opens is a new
 * session with a new id.
 */
export class ClientConnection implements Channel {
  /** The URL connected to, parsed once. */
  readonly url: URL;
  /** The proxy tunnelled through, if any. */
  readonly proxy: URL | undefined;
  private readonly backoff: Backoff;
  private readonly batch = new WriteBatch();
  private readonly ids = new RandomIds();
  private readonly pacer = new ReadPacer();
  private current: Session | undefined;
  private heartbeat: Heartbeat | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
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
    this.url = parseWebSocketUrl(options.url);
    checkProtocols(options.protocols ?? []);
    this.proxy = options.proxy === undefined ? undefined : parseProxyUrl(options.proxy);
    this.backoff = new Backoff(options.reconnect ?? DEFAULT_BACKOFF);
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  get sessionCount(): number {
    return this.stateValue === "open" ? 1 : 0;
  }

  /** Starts connecting; later calls do nothing. */
  start(): void {
    if (this.stateValue === "idle") {
      this.connect();
    }
  }

  send(frame: FrameData, sessionId: string | undefined, callback: SendCallback): void {
    const session = this.current;
    if (!session || this.stateValue !== "open") {
      callback(this.notConnected());
      return;
    }
    if (sessionId !== undefined && sessionId !== session.id) {
      // A reply meant for an earlier connection: the peer it answers is gone.
      callback(sessionGone(sessionId));
      return;
    }
    this.batch.hold(session.socket);
    session.socket.send(frame, (error) => {
      // The connection dropped while the frame waited in the write batch.
      const dropped = error && session.socket.readyState !== WebSocket.OPEN;
      callback(dropped ? this.notConnected() : error);
    });
  }

  private notConnected(): FlowsocketError {
    return new FlowsocketError("FLOWSOCKET_ERR_NOT_CONNECTED", `Not connected to ${this.url.href}`);
  }

  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
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
    const session: Session = { id: this.ids.next(), socket };
    this.current = session;
    let opened = false;
    let failed = false;
    // Reported once per socket: `ws` emits an error and then closes, and errors
    // caused by our own close are expected.
    const fail = (error: Error): void => {
      if (!this.closing && !failed) {
        failed = true;
        this.handlers.onError(error, opened ? session : undefined);
      }
    };

    socket.on("open", () => {
      opened = true;
      this.stateValue = "open";
      this.backoff.reset();
      const heartbeatMs = Math.min(this.options.heartbeatMs ?? 0, MAX_TIMER_MS);
      if (heartbeatMs > 0) {
        this.heartbeat = new Heartbeat(socket, heartbeatMs, () => {
          fail(new FlowsocketError("FLOWSOCKET_ERR_HEARTBEAT_TIMEOUT", `No answer to a ping within ${heartbeatMs} ms`));
          socket.terminate();
        });
      }
      this.handlers.onOpen(session);
    });
    const paced = this.pacer.track(socket);
    socket.on("message", (data, isBinary) => {
      paced();
      this.handlers.onMessage(session, decodeFrame(data, isBinary));
    });
    socket.on("unexpected-response", (request, response) => {
      // Handled here rather than by `ws`, which would report only a sentence:
      // the status is what tells "nothing on that path" from "not allowed".
      response.resume();
      request.destroy(upgradeRefused(response.statusCode ?? 0));
    });
    // Failures before the open are attempts that failed, classified by what
    // failed; after it, they are the session's.
    socket.on("error", (error) => fail(opened ? toError(error) : connectFailure(toError(error))));
    socket.on("close", (code, reason) => {
      this.heartbeat?.stop();
      this.heartbeat = undefined;
      this.current = undefined;
      if (opened) {
        this.handlers.onClose(session, code, reason.toString());
      }
      if (this.closing) {
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
    const session = this.current;
    if (session) {
      await closeSocket(session.socket, CLOSE_NORMAL, "client stopping");
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
