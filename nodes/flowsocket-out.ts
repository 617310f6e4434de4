import type { Node, NodeAPI, NodeMessageInFlow } from "node-red";
import type { EndpointConfigNode } from "./adapters/endpoint-config";
import type { StatusTexts } from "./adapters/status";
import { useEndpoint, type EndpointUserDef } from "./adapters/use-endpoint";
import { targetOf } from "./adapters/messages";
import type { FrameData } from "./transport/codec";
import { FlowsocketError, toError } from "./transport/errors";
import type { Target } from "./transport/target";

/**
 * `flowsocket-out`: sends each message to the session in `msg._session`, or to
 * every session when the message did not come from a WebSocket.
 */
export function registerOut(RED: NodeAPI, texts: StatusTexts): void {
  function FlowsocketOutNode(this: Node, def: EndpointUserDef): void {
    RED.nodes.createNode(this, def);
    const config = useEndpoint(RED, texts, this, def);
    this.on("input", (msg: NodeMessageInFlow, _send: unknown, done: (error?: Error) => void) => {
      if (!config) {
        done(new Error(RED._("flowsocket.errors.missing-config")));
        return;
      }
      const channel = config.hub.channel;
      // A config node that cannot work says why, rather than "not connected".
      if (config.problem !== undefined && (!channel || channel.sessionCount === 0)) {
        done(new Error(config.problem));
        return;
      }
      if (!channel) {
        done(new Error(RED._("flowsocket.errors.not-connected", { url: config.target })));
        return;
      }
      let frame: FrameData | undefined;
      try {
        frame = config.hub.messages.toFrame(msg);
      } catch (error) {
        done(new Error(RED._("flowsocket.errors.send-failed", { error: toError(error).message })));
        return;
      }
      if (frame === undefined) {
        done();
        return;
      }
      const target = targetOf(msg);
      channel.send(frame, target, (error) => done(error ? describeSendError(error, config, target) : undefined));
    });
  }

  function describeSendError(error: Error, config: EndpointConfigNode, target: Target): Error {
    const code = error instanceof FlowsocketError ? error.code : undefined;
    if (code === "FLOWSOCKET_ERR_NOT_CONNECTED") {
      return new Error(RED._("flowsocket.errors.not-connected", { url: config.target }));
    }
    if (code === "FLOWSOCKET_ERR_SESSION_GONE") {
      return new Error(RED._("flowsocket.errors.session-gone", { id: target.kind === "session" ? target.id : "" }));
    }
    return new Error(RED._("flowsocket.errors.send-failed", { error: error.message }));
  }

  RED.nodes.registerType("flowsocket-out", FlowsocketOutNode);
}
