import type { Socket } from "node:net";
import type { SecureContextOptions } from "node:tls";
import WebSocket, { type ClientOptions } from "ws";
import { Backoff, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff";
import type { Channel, ChannelHandlers, CloseFrame, SendCallback } from "./channel";
import { closeSocket } from "./close-socket";
import type { FrameData } from "./codec";
import { connectFailure, upgradeRefused } from "./connect-failure";
import { FlowsocketError, sessionGone, toError } from "./errors";
import { Heartbeat } from "./heartbeat";
import { Outbox, type OutboxLimits } from "./outbox";
import { DEFAULT_MAX_PAYLOAD, type SessionLimits } from "./limits";
import { RandomIds } from "./ids";
import { checkProtocols } from "./protocols";
import { tunnelThrough } from "./proxy-tunnel";
import { Session, type SessionIo } from "./session";
import type { Handshake } from "./session-details";
import { SessionEndpoint } from "./session-endpoint";
import type { Target } from "./target";

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
  /** The `Origin` header of the handshake, for servers that refuse one without it. */
  origin?: string;
  tls?: ClientTlsOptions;
  /**
   * An HTTP(S) proxy URL to tunnel through with CONNECT, or a function that
   * picks one for the URL being connected to (it may change); undefined to
   * connect directly.
   */
  proxy?: string | ((url: URL) => string | undefined);
  /** Ping interval in milliseconds (at most MAX_TIMER_MS of heartbeat.ts); 0 turns the heartbeat off. */
  heartbeatMs?: number;
  /** Time allowed for each connection attempt, in milliseconds (DEFAULT_HANDSHAKE_TIMEOUT_MS). */
  handshakeTimeoutMs?: number;
  reconnect?: BackoffOptions;
  /** Sent on every connection as soon as it opens, before anything else (a login or subscribe message). */
  firstFrame?: FrameData;
  /** Source of the backoff's random spread; tests give a fixed one. */
  random?: () => number;
  /** The largest message the server may send, in bytes; DEFAULT_MAX_PAYLOAD. */
  maxPayload?: number;
  /** Backpressure limits of the connection (DEFAULT_LIMITS). */
  limits?: SessionLimits;
  /** Offer permessage-deflate, for messages of at least `threshold` bytes; undefined: off (`ws` turns it on by default). */
  compression?: { threshold: number };
  /** Keep what is sent while the connection is down, within these limits, and send it once it is back; undefined: sends fail then. */
  queue?: OutboxLimits;
}

/** What a flow's connect action may change until the next redeploy. */
export interface ConnectOverrides {
  /** A ws:// or wss:// URL, or one relative to the URL connected to now ("/ws/other", "?room=b"). */
  url?: string;
  protocols?: readonly string[];
  headers?: Readonly<Record<string, string>>;
}

/**
 * Where a client connection is in its life:
 * - `idle`: not started (it connects only when told to);
 * - `connecting`: an attempt is under way;
 * - `open`: connected;
 * - `waiting`: an attempt failed or the connection dropped, the next attempt is scheduled;
 * - `disconnected`: a flow disconnected it; it stays down until told to connect;
 * - `gave-up`: the attempt limit was reached; it stays down until told to connect;
 * - `closed`: stopped for good (redeploy).
 */
export type ConnectionState = "idle" | "connecting" | "open" | "waiting" | "disconnected" | "gave-up" | "closed";

/** What a client connection reports beyond a listener: its state, and the delay of a scheduled attempt. */
export interface ClientHandlers extends ChannelHandlers {
  onState(state: ConnectionState, detail: StateDetail): void;
  /**
   * Queued messages that will not be sent: `full` (the oldest made room for
   * newer ones), `expired` (waited longer than allowed), `discarded` (a flow
   * disconnected the client, or it stopped).
   */
  onQueueDrop?(reason: "full" | "expired" | "discarded", count: number): void;
}

/** More about a state: the delay before a scheduled attempt, and whether an attempt starts a new series. */
export interface StateDetail {
  /** For `waiting`: milliseconds until the next attempt. */
  readonly retryInMs?: number;
  /** For `connecting`: the first attempt since a start or a flow's connect, not a retry. */
  readonly fresh?: boolean;
}

/** The settings of the connection being made: the configured ones, or a flow's. */
interface Destination {
  readonly url: URL;
  readonly protocols: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly proxy: URL | undefined;
}

/**
 * A client connection that reconnects after every drop, with a growing
 * delay, until it is stopped; a flow may connect it (elsewhere), disconnect
 * it, and connect it again. Each connection that opens is a new session with
 * a new id.
 */
/** Its sessions: at most one, the open connection, kept as a listener keeps its many. */
export class ClientConnection extends SessionEndpoint implements Channel {
  private destination: Destination;
  private readonly backoff: Backoff;
  private readonly io: SessionIo;
  private readonly ids = new RandomIds();
  /** The socket of the attempt in progress or of the open session. */
  private socket: WebSocket | undefined;
  private heartbeat: Heartbeat | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  readonly stopClose: CloseFrame = { code: CLOSE_NORMAL, reason: "client stopping" };
  private stateValue: ConnectionState = "idle";
  private readonly outbox: Outbox | undefined;

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
    this.io = this.sessionIo(handlers, options.limits, options.heartbeatMs);
    this.outbox = options.queue ? new Outbox(options.queue) : undefined;
    this.destination = this.destinationOf(options);
    this.backoff = new Backoff(options.reconnect ?? DEFAULT_BACKOFF, options.random);
  }

  /** The URL connected to (or to be), parsed. */
  get url(): URL {
    return this.destination.url;
  }

  /** The proxy tunnelled through, if any. */
  get proxy(): URL | undefined {
    return this.destination.proxy;
  }

  get state(): ConnectionState {
    return this.stateValue;
  }

  /** Starts connecting if it never has; later calls do nothing. */
  start(): void {
    if (this.stateValue === "idle") {
      this.connect(true);
    }
  }

  /**
   * Connects as a flow asks, with its changes to the settings (kept until
   * the connection is stopped). A connection that is up, or on its way up,
   * is first closed when `force` is set.
   *
   * @throws FlowsocketError `FLOWSOCKET_ERR_ALREADY_CONNECTED` when it is up or
   *   on its way and `force` is not set; `FLOWSOCKET_ERR_INVALID_URL` and
   *   `FLOWSOCKET_ERR_INVALID_PROTOCOL` for bad changes (nothing is changed then).
   */
  async connectNow(overrides: ConnectOverrides = {}, force = false): Promise<void> {
    if (this.isStopping) {
      throw new FlowsocketError("FLOWSOCKET_ERR_CLOSED", "The client is stopping");
    }
    const down = this.stateValue === "idle" || this.stateValue === "disconnected" || this.stateValue === "gave-up";
    if (!down && !force) {
      throw new FlowsocketError("FLOWSOCKET_ERR_ALREADY_CONNECTED", `Already connected or connecting to ${this.url.href}`);
    }
    // A URL from a flow may be relative ("/ws/other"), to the one connected to now.
    const url = overrides.url === undefined ? undefined : resolveAgainst(overrides.url, this.url);
    const destination = this.destinationOf({ ...this.options, ...this.current(), ...overrides, ...(url ? { url } : {}) });
    if (!down) {
      await this.disconnect();
    }
    this.destination = destination;
    this.backoff.reset();
    this.connect(true);
  }

  /** Closes the connection (1000, cause `flow`) and keeps it down until a flow connects it again. */
  async disconnect(): Promise<void> {
    if (this.isStopping || this.stateValue === "closed") {
      return;
    }
    this.stateValue = "disconnected";
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.discardQueue();
    const socket = this.socket;
    const [session] = this.sessions.values();
    this.handlers.onState("disconnected", {});
    if (session) {
      await session.close(CLOSE_NORMAL, "client disconnecting", "flow");
    } else if (socket) {
      await closeSocket(socket, CLOSE_NORMAL, "client disconnecting");
    }
  }

  send(frame: FrameData, target: Target, callback: SendCallback): void {
    if (this.stateValue !== "open") {
      // Kept for the next connection, if it has a queue, unless a flow took it down on purpose.
      const comingBack = this.stateValue !== "disconnected" && this.stateValue !== "gave-up" && this.stateValue !== "closed";
      if (this.outbox && comingBack && target.kind !== "session") {
        const dropped = this.outbox.push(frame, Date.now());
        if (dropped > 0) {
          this.handlers.onQueueDrop?.("full", dropped);
        }
        callback();
        return;
      }
      callback(this.notConnected());
      return;
    }
    // A reply meant for an earlier connection finds its session gone.
    const { sessions, gone } = this.sessions.select(target);
    const [session] = sessions;
    if (!session) {
      callback(target.kind === "session" ? sessionGone(target.id) : undefined, gone);
      return;
    }
    session.send(frame, (error) => {
      // Closing and not yet reported closed, or dropped while a large frame was written.
      const dropped = error instanceof FlowsocketError && error.code === "FLOWSOCKET_ERR_SESSION_GONE";
      callback(dropped ? this.notConnected() : error, gone);
    });
  }

  private discardQueue(): void {
    const discarded = this.outbox?.clear() ?? 0;
    if (discarded > 0) {
      this.handlers.onQueueDrop?.("discarded", discarded);
    }
  }

  private notConnected(): FlowsocketError {
    return new FlowsocketError("FLOWSOCKET_ERR_NOT_CONNECTED", `Not connected to ${this.url.href}`);
  }

  /** The current destination in the options' terms, so overrides can be laid over it. */
  private current(): ConnectOverrides {
    const { url, protocols, headers } = this.destination;
    return { url: url.href, protocols, headers };
  }

  /** Checks and parses settings, throwing before anything is changed. */
  private destinationOf(settings: ClientConnectionOptions): Destination {
    const url = parseWebSocketUrl(settings.url);
    const protocols = settings.protocols ?? [];
    checkProtocols(protocols);
    const proxy = typeof settings.proxy === "function" ? settings.proxy(url) : settings.proxy;
    return { url, protocols, headers: settings.headers ?? {}, proxy: proxy === undefined ? undefined : parseProxyUrl(proxy) };
  }

  private connect(fresh: boolean): void {
    this.retryTimer = undefined;
    this.stateValue = "connecting";
    const { url, protocols } = this.destination;
    let socket: WebSocket;
    try {
      socket = new WebSocket(url, [...protocols], this.clientOptions());
    } catch (error) {
      // Settings `ws` or `http` reject up front (a header value with a line
      // break, say) would fail the same way at every retry: report and stop.
      this.stateValue = "gave-up";
      this.handlers.onError(toError(error), undefined);
      this.handlers.onState("gave-up", {});
      return;
    }
    this.socket = socket;
    // Until the open, failures are the attempt's, classified by what failed,
    // and reported once: `ws` emits an error and then closes.
    let failed = false;
    let opened = false;
    // The socket the upgrade came over, which `ws` then runs on: told in
    // "upgrade", which `ws` emits before "open".
    let tcp: Socket | undefined;
    socket.once("upgrade", (response) => {
      tcp = response.socket;
    });
    const attemptOnError = (error: Error): void => {
      if (!this.isStopping && this.stateValue === "connecting" && !failed) {
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
      opened = true;
      this.stateValue = "open";
      this.backoff.reset();
      const handshake: Handshake = {
        side: "client",
        remoteAddress: url.hostname,
        remotePort: Number(url.port) || (url.protocol === "wss:" ? 443 : 80),
        url: url.href,
        openedAt: Date.now(),
        headers: {},
      };
      const session = new Session(this.ids.next(), socket, tcp, handshake, this.io);
      this.sessions.add(session);
      if (this.io.heartbeat) {
        this.heartbeat = new Heartbeat(this.options.heartbeatMs!, () => this.sessions.values());
      }
      // First on the wire, before anything a flow sends when it hears of the open.
      if (this.options.firstFrame !== undefined) {
        session.send(this.options.firstFrame);
      }
      // Then what waited while the connection was down, in order.
      if (this.outbox && this.outbox.size > 0) {
        const { frames, expired } = this.outbox.drain(Date.now());
        session.sendQueued(frames);
        if (expired > 0) {
          this.handlers.onQueueDrop?.("expired", expired);
        }
      }
      this.handlers.onOpen(session);
    });
    socket.on("close", () => this.socketOnClose(socket, opened));
    this.handlers.onState("connecting", { fresh });
  }

  private socketOnClose(socket: WebSocket, opened: boolean): void {
    if (this.socket === socket) {
      this.heartbeat?.stop();
      this.heartbeat = undefined;
      this.socket = undefined;
    }
    if (this.isStopping) {
      this.stateValue = "closed";
      return;
    }
    // A flow disconnected it, or connected it elsewhere meanwhile: that decides what comes next.
    if (this.stateValue !== "connecting" && this.stateValue !== "open") {
      return;
    }
    const delay = this.backoff.next(!opened);
    if (delay === undefined) {
      this.stateValue = "gave-up";
      const attempts = this.options.reconnect?.maxAttempts ?? 0;
      this.handlers.onError(new FlowsocketError("FLOWSOCKET_ERR_GAVE_UP", `Gave up after ${attempts} failed attempts`), undefined);
      this.handlers.onState("gave-up", {});
      return;
    }
    this.stateValue = "waiting";
    this.retryTimer = setTimeout(() => this.connect(false), delay);
    this.handlers.onState("waiting", { retryInMs: delay });
  }

  private clientOptions(): ClientOptions {
    const timeout = this.options.handshakeTimeoutMs ?? DEFAULT_HANDSHAKE_TIMEOUT_MS;
    const { url, headers, proxy } = this.destination;
    const options: ClientOptions = {
      ...this.options.tls,
      handshakeTimeout: timeout,
      headers: { ...headers },
      maxPayload: this.options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      // No context kept between messages: `ws` 8 then holds to the threshold (see server-endpoint.ts).
      perMessageDeflate: this.options.compression ? { threshold: this.options.compression.threshold, clientNoContextTakeover: true } : false,
    };
    if (this.options.origin) {
      options.origin = this.options.origin;
    }
    if (proxy) {
      // @types/node types this as net.createConnection, but http.request also
      // takes the callback form that a tunnel needs (see proxy-tunnel.ts).
      options.createConnection = tunnelThrough(proxy, url.protocol === "wss:", timeout) as unknown as ClientOptions["createConnection"];
    }
    return options;
  }

  protected async shutDown(): Promise<void> {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.discardQueue();
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

/** `url` read against `base`, when it is relative; as it is otherwise, or when it cannot be read. */
function resolveAgainst(url: string, base: URL): string {
  try {
    return new URL(url.trim(), base).href;
  } catch {
    return url;
  }
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
