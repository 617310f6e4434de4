import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import WebSocket, { WebSocketServer, type ClientOptions, type RawData } from "ws";

/** A received frame, decoded the way a test wants to compare it. */
export interface Received {
  data: string | Buffer;
  isBinary: boolean;
}

/** A `ws` client that queues what it receives, so tests can await the next frame. */
export class TestClient {
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];
  /** The TCP socket under `socket`, from its handshake's response; set once open. */
  tcp!: Socket;

  private constructor(readonly socket: WebSocket) {
    socket.once("upgrade", (response) => {
      this.tcp = response.socket;
    });
    socket.on("message", (data: RawData, isBinary: boolean) => {
      const buffer = data as Buffer;
      this.received.push({ data: isBinary ? buffer : buffer.toString("utf8"), isBinary });
      const waiters = this.waiters;
      this.waiters = [];
      waiters.forEach((wake) => wake());
    });
  }

  static async open(url: string, protocols: string[] = [], options: ClientOptions = {}): Promise<TestClient> {
    const socket = new WebSocket(url, protocols, options);
    const client = new TestClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
      socket.once("unexpected-response", (_request, response) =>
        reject(new Error(`unexpected response ${response.statusCode}`)),
      );
    });
    return client;
  }

  /** Resolves with the `count`-th frame received (1-based), waiting for it if needed. */
  async frame(count: number, ms = 5000): Promise<Received> {
    const deadline = Date.now() + ms;
    while (this.received.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`only ${this.received.length} of ${count} frames within ${ms} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.received[count - 1]!;
  }

  send(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** Closes the socket and resolves with the close code and reason. */
  async close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.CLOSED) {
      return { code: 1006, reason: "" };
    }
    const closed = once(this.socket, "close") as Promise<[number, Buffer]>;
    this.socket.close();
    const [code, reason] = await closed;
    return { code, reason: reason.toString() };
  }

  /** Resolves when the peer closes this socket. */
  async closedByPeer(ms = 5000): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.CLOSED) {
      return { code: 1006, reason: "" };
    }
    const [code, reason] = (await withTimeout(once(this.socket, "close"), ms, "close")) as [number, Buffer];
    return { code, reason: reason.toString() };
  }
}

/** A plain `ws` server on 127.0.0.1 and an ephemeral port, to test client connections against. */
export class TestServer {
  readonly connections: WebSocket[] = [];
  readonly requests: import("node:http").IncomingMessage[] = [];
  /** Text of the frames each connection sent, from its very first (binary ones as "<binary>"). */
  readonly frames = new Map<WebSocket, string[]>();

  private constructor(
    readonly http: Server,
    readonly wss: WebSocketServer,
  ) {
    wss.on("connection", (socket, request) => {
      this.connections.push(socket);
      this.requests.push(request);
      const frames: string[] = [];
      this.frames.set(socket, frames);
      socket.on("message", (data, isBinary) => frames.push(isBinary ? "<binary>" : String(data)));
      socket.on("error", () => {
        // A test may cut a connection; the close event reports it.
      });
    });
  }

  static async start(options: ConstructorParameters<typeof WebSocketServer>[0] = {}, port = 0): Promise<TestServer> {
    const http = createServer();
    const wss = new WebSocketServer({ ...options, server: http });
    http.listen(port, "127.0.0.1");
    await once(http, "listening");
    return new TestServer(http, wss);
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  /** Resolves with the `count`-th connection (1-based). */
  async connection(count = 1, ms = 5000): Promise<WebSocket> {
    await connections(this.wss, () => this.connections.length, count, ms);
    return this.connections[count - 1]!;
  }

  /** Resolves with the frames `socket` (one of this server's connections) sent, once it has sent `count`. */
  async framesFrom(socket: WebSocket, count: number, ms = 5000): Promise<string[]> {
    const frames = this.frames.get(socket)!;
    await withTimeout(
      (async () => {
        while (frames.length < count) {
          await once(socket, "message");
        }
      })(),
      ms,
      `${count} frames`,
    );
    return frames;
  }

  /** Stops the server and cuts every connection. */
  async stop(): Promise<void> {
    for (const socket of this.wss.clients) {
      socket.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }
}

/** Rejects when `promise` takes longer than `ms`: a guard against hanging tests. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/**
 * A TCP server on 127.0.0.1 that accepts connections and never says a word;
 * with `drop`, it closes each one as soon as it is accepted.
 */
export class SilentServer {
  private readonly sockets: import("node:net").Socket[] = [];

  private constructor(private readonly server: import("node:net").Server, drop: boolean) {
    server.on("connection", (socket) => {
      this.sockets.push(socket);
      socket.on("error", () => socket.destroy());
      if (drop) {
        socket.destroy();
      }
    });
  }

  static async start(options: { drop?: boolean } = {}): Promise<SilentServer> {
    const { createServer: createTcpServer } = await import("node:net");
    const server = createTcpServer();
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return new SilentServer(server, options.drop ?? false);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Resolves once `count` connections have been accepted in all. */
  async accepted(count: number, ms = 5000): Promise<void> {
    await connections(this.server, () => this.sockets.length, count, ms);
  }

  async stop(): Promise<void> {
    this.sockets.forEach((socket) => socket.destroy());
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Resolves once `seen()` reaches `count`, waking on each 'connection' of `server`; rejects after `ms`. */
async function connections(server: import("node:events").EventEmitter, seen: () => number, count: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (seen() < count) {
    if (Date.now() > deadline) {
      throw new Error(`only ${seen()} of ${count} connections within ${ms} ms`);
    }
    await withTimeout(once(server, "connection"), deadline - Date.now(), "connection").catch(() => undefined);
  }
}
