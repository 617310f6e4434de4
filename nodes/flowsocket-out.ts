import type { Node, NodeAPI, NodeMessageInFlow } from "node-red";
import type { EndpointConfigNode } from "./adapters/endpoint-config";
import type { StatusTexts } from "./adapters/status";
import { useEndpoint, type EndpointUserDef } from "./adapters/use-endpoint";
import { runAction } from "./adapters/commands";
import { OncePerKey } from "./adapters/once-per-key";
import { CommandError, commandOf, targetOf, type Command, type SendFormat } from "./adapters/messages";
import { flag, oneOf } from "./settings/parse";
import type { FrameData } from "./transport/codec";
import { FlowsocketError, toError } from "./transport/errors";
import type { Target } from "./transport/target";

interface OutDef extends EndpointUserDef {
  /** Read `msg.to`, `msg.room`, `msg.except` and `msg.action`; off, they are ordinary properties. */
  control?: boolean | string;
  /** Results of actions, and sends that missed sessions, come out of the node's output. */
  results?: boolean | string;
  /** What frame a payload becomes. */
  format?: string;
}

const FORMATS: readonly SendFormat[] = ["auto", "text", "binary"];

type Send = (msg: NodeMessageInFlow) => void;
type Done = (error?: Error) => void;

/**
 * `flowsocket-out`: sends each message to the session in `msg._session`, or to
 * every session when the message did not come from a WebSocket; with `control`,
 * to the sessions and rooms a message names, and carries out its `msg.action`.
 */
export function registerOut(RED: NodeAPI, texts: StatusTexts): void {
  function FlowsocketOutNode(this: Node, def: OutDef): void {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = useEndpoint(RED, texts, node, def);
    const control = flag(def.control);
    const results = flag(def.results);
    const format = oneOf(def.format, FORMATS);
    const goneReported = new OncePerKey();

    /** A target that named sessions which are not open is worth a warning, never an error: the rest got it. */
    const warnGone = (gone: readonly string[]): void => {
      if (gone.length > 0) {
        node.warn(RED._("flowsocket.errors.gone", { ids: gone.join(", ") }));
      }
    };

    node.on("input", (msg: NodeMessageInFlow, send: Send, done: Done) => {
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
      let command: Command | undefined;
      if (control) {
        try {
          command = commandOf(msg);
        } catch (error) {
          done(describeCommandError(error));
          return;
        }
      }
      if (command && command.action !== "send") {
        runAction(channel, config.connection, command, config.hub.messages).then((result) => {
          warnGone(result.gone);
          if (results) {
            msg.payload = result.payload;
            send(msg);
          }
          done();
        }, (error: unknown) => done(describeActionError(error, config)));
        return;
      }
      let frame: FrameData | undefined;
      try {
        frame = config.hub.messages.toFrame(msg, format);
      } catch (error) {
        done(new Error(RED._("flowsocket.errors.send-failed", { error: toError(error).message })));
        return;
      }
      if (frame === undefined) {
        done();
        return;
      }
      const target = command?.target ?? targetOf(msg);
      channel.send(frame, target, (error, gone) => {
        if (error) {
          // One catchable error per departed session; its later replies are dropped quietly.
          const repeat = error instanceof FlowsocketError && error.code === "FLOWSOCKET_ERR_SESSION_GONE" && target.kind === "session" && !goneReported.first(target.id);
          done(repeat ? undefined : describeSendError(error, config, target));
          return;
        }
        if (gone && gone.length > 0) {
          warnGone(gone);
          if (results) {
            send({ _msgid: msg._msgid, action: "send", payload: { gone } });
          }
        }
        done();
      });
    });
  }

  /** A connect the connection refused: already connected, or a URL or subprotocol it cannot use. */
  function describeActionError(error: unknown, config: EndpointConfigNode): Error {
    if (error instanceof FlowsocketError && error.code === "FLOWSOCKET_ERR_ALREADY_CONNECTED") {
      return new Error(RED._("flowsocket.errors.already-connected", { url: config.target }));
    }
    if (error instanceof FlowsocketError) {
      return new Error(RED._("flowsocket.errors.bad-client", { error: error.message }));
    }
    return describeCommandError(error);
  }

  function describeCommandError(error: unknown): Error {
    return error instanceof CommandError ? new Error(RED._(`flowsocket.errors.${error.key}`, error.params)) : toError(error);
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
