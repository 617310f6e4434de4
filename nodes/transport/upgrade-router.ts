import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { FlowsocketError, toError } from "./errors";
import { splitTarget } from "./paths";
import { refuse } from "./refuse";

/** Something that can take over an HTTP upgrade request. */
export interface UpgradeTarget {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
}

/**
 * Hands the HTTP server's upgrade requests to the endpoint registered for
 * their path. Requests for other paths are left untouched: Node-RED's editor
 * (`/comms`) and other packages listen on the same server for theirs.
 *
 * The router listens on the server only while it has endpoints, so a
 * redeploy that removes every listener leaves nothing attached.
 */
export class UpgradeRouter {
  private readonly targets = new Map<string, UpgradeTarget>();
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const { path } = splitTarget(request.url ?? "/");
    const target = this.targets.get(path);
    if (!target) {
      if (this.answerUnknown) {
        // Our own server: nobody else will answer, so say there is nothing on that path.
        refuse(socket, 404, "Not Found");
      }
      return;
    }
    try {
      target.handleUpgrade(request, socket, head);
    } catch (error) {
      // Thrown from an 'upgrade' listener, this would end the process: another
      // listener on the server (say a second `ws` server on the same path)
      // took the socket first.
      socket.destroy();
      this.onError(toError(error), path);
    }
  };

  /**
   * @param onError told of an upgrade that failed in a way `ws` throws rather than reports.
   * @param answerUnknown answer upgrades for paths nobody serves with 404: on a server of our own,
   *   not on Node-RED's, where other packages may serve them.
   */
  constructor(
    private readonly server: Server,
    private readonly onError: (error: Error, path: string) => void = () => {},
    private readonly answerUnknown = false,
  ) {}

  /**
   * Routes upgrades for `path` (a full path, as the client requests it) to `target`.
   *
   * @throws FlowsocketError `FLOWSOCKET_ERR_DUPLICATE_PATH` when another target has the path.
   */
  add(path: string, target: UpgradeTarget): void {
    if (this.targets.has(path)) {
      throw new FlowsocketError("FLOWSOCKET_ERR_DUPLICATE_PATH", `Path ${path} is already in use`);
    }
    if (this.targets.size === 0) {
      this.server.on("upgrade", this.onUpgrade);
    }
    this.targets.set(path, target);
  }

  /** Stops routing `path`, if it is routed to `target`. */
  remove(path: string, target: UpgradeTarget): void {
    if (this.targets.get(path) !== target) {
      return;
    }
    this.targets.delete(path);
    if (this.targets.size === 0) {
      this.server.off("upgrade", this.onUpgrade);
    }
  }
}
