import type { Channel } from "../transport/channel";
import type { ClientHandlers, ConnectionState, StateDetail } from "../transport/client-connection";
import type { FrameData, MessageObject } from "../transport/codec";
import { ConnectError } from "../transport/connect-failure";
import { FlowsocketError } from "../transport/errors";
import type { CloseCause, Session } from "../transport/session";
import { FrameFormatError, Messages, type Delivery } from "./messages";

/** What happened to an endpoint, as in and out nodes show it and Status nodes see it. */
export type LifecycleEvent = "connecting" | "connect" | "disconnect" | "error";

export interface EndpointState {
  event: LifecycleEvent;
  /** The session concerned, if any. */
  sessionId?: string;
  /** Open sessions after the event. */
  count: number;
  /**
   * Set when nothing happened that a Status node should see: the state is
   * told to a node that attaches later, or a listener is back in service.
   */
  quiet?: boolean;
  /** Why the endpoint cannot work or a connection attempt failed: a key of the `flowsocket.status` catalog. */
  failure?: string;
  /** A client connection's state, when it is one that the event alone does not tell. */
  client?: "idle" | "waiting" | "disconnected" | "gave-up";
  /** For `client: "waiting"`: milliseconds until the next attempt. */
  retryInMs?: number;
  /** Messages dropped for sessions that read too slowly, so far. */
  dropped?: number;
}

/** An in or out node using a listener or client config node. */
export interface EndpointUser {
  onState(state: EndpointState): void;
  /** Only in nodes receive messages. */
  onMessage?(msg: MessageObject): void;
  /** How an in node wants its messages; plain as core's when not given. */
  delivery?: Delivery;
  /** A frame its format could not read; `error.msg` holds the raw text. */
  onInvalid?(error: FrameFormatError): void;
}

/** What core's nodes deliver: `{type, id}` sessions and no event messages. */
const PLAIN: Delivery = { metadata: false, events: false };

/** Where the config node logs what goes wrong on a session or connection. */
export type ErrorReporter = (error: Error, session: Session | undefined) => void;

/** Where the config node logs the start and end of a slow session's dropping episode. */
export type DropReporter = (session: Session, dropped: number, ended: boolean) => void;

/**
 * Fans one endpoint's events out to the in and out nodes that use it: every
 * frame becomes one message per in node, every lifecycle change one state per
 * node. A config node owns one hub and one channel.
 */
export class EndpointHub implements ClientHandlers {
  /** The channel, once the config node managed to create it. */
  channel: Channel | undefined;
  private readonly users = new Set<EndpointUser>();
  /** The users that take messages, as an array: it is walked for every frame. */
  private receivers: EndpointUser[] = [];
  /** The receivers that take lifecycle events too. */
  private listeners: EndpointUser[] = [];
  /** Set once the endpoint stops: its sessions have been told to in nodes as closed. */
  private stopped = false;
  /**
   * How the last attempt of a client failed, until a connection opens or a
   * new series of attempts starts: a failing client retries quietly, so a
   * Status node sees one state per change, not two per attempt.
   */
  private attemptFailure: string | undefined;
  /** Messages dropped by episodes that ended, and the episodes going on. */
  private droppedBefore = 0;
  private readonly dropping = new Set<Session>();
  /** Where drop episodes are logged; set by the config node. */
  reportDrops: DropReporter | undefined;
  /** Where a client's queued messages that will not be sent are logged; set by the config node. */
  reportQueueDrop: ((reason: "full" | "expired" | "discarded", count: number) => void) | undefined;
  /** How this endpoint's frames and messages turn into each other. */
  readonly messages: Messages;

  /**
   * @param last the state before anything happens, told to nodes that attach
   *   before the first event (a listener's "0 connected").
   */
  constructor(
    wholemsg: boolean,
    private readonly reportError: ErrorReporter,
    private last: EndpointState | undefined = undefined,
  ) {
    this.messages = new Messages(wholemsg);
  }

  /** Starts delivering to `user`; it is told the current state at once. */
  attach(user: EndpointUser): void {
    this.users.add(user);
    this.sortUsers();
    if (this.last) {
      const { sessionId: _omitted, ...current } = this.last;
      user.onState({ ...current, quiet: true });
    }
  }

  detach(user: EndpointUser): void {
    this.users.delete(user);
    this.sortUsers();
  }

  /** The endpoint cannot work; `failure` is a `flowsocket.status` catalog key. */
  fail(failure: string): void {
    this.publish({ event: "error", count: 0, failure });
  }

  /** The endpoint works again after a failure: its nodes show the count, with no event. */
  resume(): void {
    this.publish({ event: "disconnect", count: this.count(), quiet: true });
  }

  onState(state: ConnectionState, detail: StateDetail): void {
    switch (state) {
      case "connecting":
        if (detail.fresh) {
          this.attemptFailure = undefined;
        }
        if (this.attemptFailure === undefined) {
          this.publish({ event: "connecting", count: 0 });
        }
        return;
      case "waiting":
        this.publish({ event: "connecting", count: 0, quiet: true, client: state, retryInMs: detail.retryInMs, failure: this.attemptFailure });
        return;
      case "idle":
      case "disconnected":
      case "gave-up":
        this.publish({ event: "disconnect", count: 0, quiet: true, client: state });
        return;
      default:
        // `open` and `closed` are told by onOpen and onClose.
        return;
    }
  }

  onOpen(session: Session): void {
    this.attemptFailure = undefined;
    // Before the session's first frame, which cannot arrive in this turn.
    for (const user of this.listeners) {
      user.onMessage!(this.messages.connected(session, user.delivery!));
    }
    this.publish({ event: "connect", sessionId: session.id, count: this.count() });
  }

  onClose(session: Session, code: number, reason: string, cause: CloseCause): void {
    if (!this.stopped) {
      this.tellClosed(session, code, reason, cause);
    }
    this.publish({ event: "disconnect", sessionId: session.id, count: this.count() });
  }

  /**
   * The endpoint is about to stop: its open sessions are told to in nodes as
   * closed, with cause `stopping`, now rather than when the sockets have
   * closed, while the in nodes (which Node-RED stops first) are still
   * attached: a flow that keeps a presence list past a deploy of modified
   * nodes then drops them.
   */
  stopping(): void {
    const channel = this.channel;
    if (!channel || this.stopped) {
      return;
    }
    this.stopped = true;
    const { code, reason } = channel.stopClose;
    for (const session of channel.list()) {
      this.tellClosed(session, code, reason, "stopping");
    }
  }

  private tellClosed(session: Session, code: number, reason: string, cause: CloseCause): void {
    for (const user of this.listeners) {
      user.onMessage!(this.messages.disconnected(session, code, reason, cause, user.delivery!));
    }
  }

  onError(error: Error, session: Session | undefined): void {
    this.reportError(error, session);
    const failure = failureOf(error);
    if (!session) {
      if (failure === this.attemptFailure) {
        return;
      }
      this.attemptFailure = failure;
    }
    for (const user of this.listeners) {
      user.onMessage!(this.messages.failed(error, session, user.delivery!));
    }
    const state: EndpointState = { event: "error", count: this.count(), failure };
    if (session) {
      state.sessionId = session.id;
    }
    this.publish(state);
  }

  onMessage(session: Session, frame: FrameData): void {
    const receivers = this.receivers;
    for (let i = 0; i < receivers.length; i++) {
      // Each in node gets a message of its own, so one flow's changes never
      // show up in another's (core hands them all the same object).
      const own = i === 0 || typeof frame === "string" ? frame : Buffer.from(frame);
      const receiver = receivers[i]!;
      let msg: MessageObject;
      try {
        msg = this.messages.fromFrame(session, own, receiver.delivery ?? PLAIN);
      } catch (error) {
        if (!(error instanceof FrameFormatError)) {
          throw error;
        }
        receiver.onInvalid?.(error);
        continue;
      }
      receiver.onMessage!(msg);
    }
  }

  onQueueDrop(reason: "full" | "expired" | "discarded", count: number): void {
    this.reportQueueDrop?.(reason, count);
  }

  onDrops(session: Session, dropped: number, ended: boolean): void {
    if (ended) {
      this.dropping.delete(session);
      this.droppedBefore += dropped;
    } else {
      this.dropping.add(session);
    }
    this.reportDrops?.(session, dropped, ended);
    this.publish({ ...(this.last ?? { event: "connect", count: this.count() }), quiet: true });
  }

  private sortUsers(): void {
    this.receivers = [...this.users].filter((user) => user.onMessage);
    this.listeners = this.receivers.filter((user) => user.delivery?.events);
  }

  private count(): number {
    return this.channel?.sessionCount ?? 0;
  }

  private publish(state: EndpointState): void {
    const dropped = this.droppedBefore + this.dropping.size;
    if (dropped > 0) {
      state = { ...state, dropped };
    }
    this.last = state;
    for (const user of this.users) {
      user.onState(state);
    }
  }
}

/** The `flowsocket.status` key for an error: what failed, in a word. */
function failureOf(error: Error): string {
  if (error instanceof ConnectError) {
    return error.failure;
  }
  switch (error instanceof FlowsocketError ? error.code : undefined) {
    case "FLOWSOCKET_ERR_HEARTBEAT_TIMEOUT":
      return "no-pong";
    case "FLOWSOCKET_ERR_GAVE_UP":
      return "gave-up";
    case "FLOWSOCKET_ERR_LIMIT":
      return "max-sessions";
    case "FLOWSOCKET_ERR_REFUSED":
      return "refused-client";
    default:
      return "session-error";
  }
}
