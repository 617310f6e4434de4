import { createServer, type Server } from "node:http";
import type { Socket } from "node:net";
import { createServer as createSecureServer, type ServerOptions as SecureServerOptions } from "node:https";
import { FlowsocketError, toError } from "./errors";
import { UpgradeRouter } from "./upgrade-router";

/** Where a listener of its own listens: an address and port, with TLS when `tls` is given. */
export interface OwnAddress {
  /** "" for every interface. */
  readonly host: string;
  readonly port: number;
  readonly tls?: SecureServerOptions;
}

/** A listener's share of a server of its own: its router, until it lets go. */
export interface OwnServerLease {
  readonly router: UpgradeRouter;
  /** Lets go; the last listener to let go closes the server, releasing the port. */
  release(): Promise<void>;
}

interface Shared {
  readonly server: Server;
  /** Every connection, upgraded ones included (the server forgets those): cut when the server closes. */
  readonly sockets: Set<Socket>;
  readonly router: UpgradeRouter;
  readonly secure: boolean;
  readonly listening: Promise<void>;
  users: number;
}

/**
 * HTTP(S) servers of the package's own, apart from Node-RED's, one per
 * address and port, shared by the listeners on it (each on its own path) and
 * closed when the last of them stops. A redeploy that keeps one listener on
 * the port keeps the server, and that listener's clients.
 */
export class OwnServers {
  private readonly shared = new Map<string, Shared>();

  /** @param onError told of an upgrade that failed in a way `ws` throws rather than reports. */
  constructor(private readonly onError: (error: Error, path: string) => void) {}

  /**
   * Takes a share of the server on `address`, starting it if it is not there.
   *
   * @throws FlowsocketError `FLOWSOCKET_ERR_PORT` when the port cannot be
   *   listened on (in use, not allowed), or a listener there already speaks
   *   TLS where this one does not, or the other way round.
   */
  async acquire(address: OwnAddress): Promise<OwnServerLease> {
    const key = `${address.host}:${address.port}`;
    let shared = this.shared.get(key);
    if (shared && shared.secure !== Boolean(address.tls)) {
      throw new FlowsocketError("FLOWSOCKET_ERR_PORT", `Port ${address.port} is already served ${shared.secure ? "with" : "without"} TLS by another listener`);
    }
    if (!shared) {
      shared = this.start(key, address);
    }
    shared.users++;
    try {
      await shared.listening;
    } catch (error) {
      shared.users--;
      throw error;
    }
    const lease = shared;
    let released = false;
    return {
      router: lease.router,
      release: async () => {
        if (released) {
          return;
        }
        released = true;
        if (--lease.users === 0) {
          this.shared.delete(key);
          const closed = new Promise<void>((resolve) => lease.server.close(() => resolve()));
          // The listeners have closed their sessions: what is left (a half-closed refusal, an idle keep-alive) must not hold the port.
          lease.sockets.forEach((socket) => socket.destroy());
          await closed;
        }
      },
    };
  }

  private start(key: string, address: OwnAddress): Shared {
    // Plain HTTP requests get 426: this server is for WebSockets only.
    const onRequest = (_request: unknown, response: import("node:http").ServerResponse): void => {
      response.writeHead(426, { Connection: "close", Upgrade: "websocket" }).end();
    };
    const server = address.tls ? createSecureServer(address.tls, onRequest) : createServer(onRequest);
    const listening = new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", (error) => {
        this.shared.delete(key);
        const code = (error as NodeJS.ErrnoException).code ?? "";
        reject(new FlowsocketError("FLOWSOCKET_ERR_PORT", `Cannot listen on ${address.host || "every interface"} port ${address.port}: ${code || toError(error).message}${code === "EADDRINUSE" ? " (another program or listener uses it)" : ""}`));
      });
    });
    // A failed start is reported to whoever waits; no unhandled rejection if nobody does.
    listening.catch(() => undefined);
    const sockets = new Set<Socket>();
    server.on("connection", (socket: Socket) => {
      sockets.add(socket);
      socket.once("close", () => sockets.delete(socket));
    });
    server.listen(address.port, address.host || undefined);
    const shared: Shared = { server, sockets, router: new UpgradeRouter(server, this.onError, true), secure: Boolean(address.tls), listening, users: 0 };
    this.shared.set(key, shared);
    return shared;
  }
}
