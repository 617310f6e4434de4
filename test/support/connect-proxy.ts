import { once } from "node:events";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Duplex } from "node:stream";

/**
 * A minimal HTTP CONNECT proxy on 127.0.0.1 that records which authorities it
 * tunnelled to, so tests can prove a connection went through it.
 */
export class ConnectProxy {
  readonly tunnels: string[] = [];
  readonly authorizations: (string | undefined)[] = [];
  private readonly sockets = new Set<Duplex>();

  private constructor(private readonly server: Server) {
    server.on("connect", (request: IncomingMessage, client: Duplex, head: Buffer) => this.tunnel(request, client, head));
  }

  static async start(): Promise<ConnectProxy> {
    const server = createServer((_request, response) => response.writeHead(405).end());
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return new ConnectProxy(server);
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private tunnel(request: IncomingMessage, client: Duplex, head: Buffer): void {
    const authority = request.url ?? "";
    this.tunnels.push(authority);
    this.authorizations.push(request.headers["proxy-authorization"]);
    const [host, port] = splitAuthority(authority);
    const upstream: Socket = connect(port, host);
    this.track(client);
    this.track(upstream);
    upstream.once("connect", () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length > 0) {
        upstream.write(head);
      }
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.once("error", () => client.end("HTTP/1.1 502 Bad Gateway\r\n\r\n"));
  }

  private track(socket: Duplex): void {
    this.sockets.add(socket);
    socket.once("close", () => this.sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  }
}

function splitAuthority(authority: string): [string, number] {
  const colon = authority.lastIndexOf(":");
  return [authority.slice(0, colon).replace(/^\[|\]$/g, ""), Number(authority.slice(colon + 1))];
}
