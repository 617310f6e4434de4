/**
 * A `ws` server in the load generator that Node-RED's client connections
 * connect to, each at a path of its own (which names its implementation and
 * Node-RED process): the far end of the cases where Node-RED is the client.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import WebSocket, { type PerMessageDeflateOptions, WebSocketServer } from "ws";

/** One of Node-RED's client connections, as the server sees it. */
export interface Peer {
  socket: WebSocket;
  /** The TCP connection under it: the flood writes raw frames to it, the compressed echo counts its bytes. */
  tcp: Socket;
}

export class PeerServer {
  private readonly peers = new Map<string, Peer>();

  private constructor(
    private readonly http: Server,
    private readonly wss: WebSocketServer,
  ) {
    wss.on("connection", (socket, request) => {
      const path = request.url ?? "/";
      this.peers.set(path, { socket, tcp: request.socket });
      socket.on("error", () => socket.terminate());
      // A paired run stops its Node-RED processes after each repeat: their connections go with them.
      socket.on("close", () => this.peers.get(path)?.socket === socket && this.peers.delete(path));
      this.onConnected(path);
    });
  }

  /** Called with the path of each connection as it opens. */
  onConnected: (path: string) => void = () => {};

  /** Listens on a free port of 127.0.0.1; with `perMessageDeflate`, accepts permessage-deflate when a client offers it. */
  static async listen(perMessageDeflate: PerMessageDeflateOptions | false): Promise<PeerServer> {
    const http = createServer();
    const server = new PeerServer(http, new WebSocketServer({ server: http, perMessageDeflate }));
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    return server;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  /** The open connection at `path`; throws, naming the path, if there is none. */
  peer(path: string): Peer {
    const peer = this.peers.get(path);
    if (!peer || peer.socket.readyState !== WebSocket.OPEN) {
      throw new Error(`Node-RED is not connected to ${path}`);
    }
    return peer;
  }

  close(): void {
    this.peers.forEach((peer) => peer.socket.terminate());
    this.wss.close();
    this.http.close();
  }
}
