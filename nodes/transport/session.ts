import type { Socket } from "node:net";
import WebSocket from "ws";
import type { SendCallback } from "./channel";
import { closeSocket } from "./close-socket";
import { decodeFrame, type FrameData } from "./codec";
import { sessionGone, toError } from "./errors";
import { CLOSE_POLICY, limitOfError, RateBucket, type LimitName, type SessionLimits } from "./limits";
import type { PacedReader, ReadPacer } from "./read-pacer";
import { describeSession, type Handshake, type SessionDetails } from "./session-details";
import type { WriteBatch } from "./write-batch";

/**
 * Why a session closed, in one word:
 * - `peer`: the other side closed it or the connection dropped;
 * - `flow`: a flow closed it;
 * - `heartbeat`: the peer stopped answering pings;
 * - `stopping`: the endpoint stopped (a redeploy, or Node-RED stopping);
 * - `error`: the session failed (a protocol error, say);
 * - `limit`: it went over one of the endpoint's limits.
 */
export type CloseCause = "peer" | "flow" | "heartbeat" | "stopping" | "error" | "limit";

/** What a session tells its endpoint. */
export interface SessionHandlers {
  onMessage(session: Session, frame: FrameData): void;
  /** The session failed; it closes next. Called at most once. */
  onError(error: Error, session: Session): void;
  onClose(session: Session, code: number, reason: string, cause: CloseCause): void;
  /**
   * The session reads slower than the flow sends and messages for it are
   * being dropped: told when an episode starts (`ended` false, 1 dropped) and
   * when it ends (`ended` true, with how many were dropped), never per message.
   */
  onDrops?(session: Session, dropped: number, ended: boolean): void;
}

/**
 * What an endpoint shares among its sessions: the write batch, the read
 * pacer, the limits, the handlers, whether it beats. Kept in one object so
 * that each session holds one reference to it, not five.
 */
export interface SessionIo {
  readonly batch: WriteBatch;
  readonly pacer: ReadPacer;
  readonly limits: SessionLimits;
  readonly handlers: SessionHandlers;
  /** When it returns true, errors are not reported (the endpoint is stopping). */
  readonly quiet: () => boolean;
  /** Whether the endpoint has a heartbeat: only then do pings and pongs count as signs of life. */
  readonly heartbeat: boolean;
}

const NO_ROOMS: ReadonlySet<string> = new Set();

/** `ws` send options for a broadcast's frames, one object for all: a broadcast to a thousand sessions made a thousand. */
const TEXT_FRAME = Object.freeze({ binary: false });
const BINARY_FRAME = Object.freeze({ binary: true });

/**
 * Unsent bytes on a socket from which a send's callback waits for the write
 * (see Session.send): Node's own mark for a socket that should drain before
 * more is written to it.
 */
const WAIT_FOR_WRITE_FROM = 16 * 1024;

/**
 * One open WebSocket connection, on either side: it owns its `ws` socket
 * (nobody else touches it), decodes and paces what arrives, batches what
 * leaves, answers for its heartbeat, and closes with a code. Listeners and
 * client connections differ in how a session starts, not in how it runs.
 */
export class Session implements PacedReader {
  readonly #socket: WebSocket;
  /** The TCP (or TLS) socket under it, which the write batch corks: `ws` has no public way to it. */
  readonly #tcp: Socket | undefined;
  readonly #io: SessionIo;
  /** The handshake until the details are first asked for, then the details (one field: a session's every byte counts). */
  #about: Handshake | SessionDetails;
  /** Set by every sign of life, cleared by each heartbeat ping. */
  #alive = true;
  #failed = false;
  /** Why it is closing, once something on this side decided it; else the peer did. */
  #cause: CloseCause | undefined;
  /** The rooms it is in, kept by the endpoint's room registry; made at the first join (most sessions never join one). */
  #rooms: Set<string> | undefined;
  /** With `cause: "limit"`, which limit it went over. */
  #limit: LimitName | undefined;
  readonly #bucket: RateBucket | undefined;
  /** Messages dropped in the current backpressure episode; 0 when none is going on. */
  #dropped = 0;
  pacedFrames = 0;

  /**
   * @param socket an open socket; the session takes it over.
   * @param tcp the socket it runs over, as its handshake handed it over;
   *   without it, nothing the session sends is batched.
   */
  constructor(
    readonly id: string,
    socket: WebSocket,
    tcp: Socket | undefined,
    handshake: Handshake,
    io: SessionIo,
  ) {
    this.#socket = socket;
    this.#tcp = tcp;
    this.#about = handshake;
    this.#io = io;
    const rate = io.limits.rate;
    this.#bucket = rate ? new RateBucket(rate.perSecond, rate.burst, Date.now()) : undefined;
    const { handlers } = io;
    socket.on("message", (data, isBinary) => {
      this.#alive = true;
      io.pacer.count(this);
      if (this.#limit) {
        // Closing for a limit: what the peer still sends is not let in.
        return;
      }
      if (this.#bucket && !this.#bucket.take(io.pacer.turnStartedAt)) {
        // Over the rate: the message is not delivered, and the session ends.
        this.overLimit("rate");
        return;
      }
      handlers.onMessage(this, decodeFrame(data, isBinary));
    });
    if (io.heartbeat) {
      // Without a heartbeat nobody reads #alive: an idle session then carries no listener for them.
      const alive = (): void => {
        this.#alive = true;
      };
      socket.on("pong", alive);
      socket.on("ping", alive);
    }
    socket.on("error", (error) => {
      const limit = limitOfError((error as { code?: string }).code);
      if (limit) {
        // `ws` closes such a session itself, with 1009 or 1008.
        this.#limit ??= limit;
        this.#cause ??= "limit";
      }
      this.#cause ??= "error";
      this.report(toError(error));
    });
    socket.on("close", (code, reason) => {
      if (this.#dropped > 0) {
        handlers.onDrops?.(this, this.#dropped, true);
        this.#dropped = 0;
      }
      handlers.onClose(this, code, reason.toString(), this.#cause ?? "peer");
    });
  }

  /** What a flow may be told about the session, built at the first ask (see SessionDetails). */
  get details(): SessionDetails {
    const about = this.#about;
    if ("side" in about) {
      // Still the handshake: it is let go once described.
      return (this.#about = describeSession(this.id, about, this.#socket.protocol));
    }
    return about;
  }

  /**
   * When the frame being delivered was read, in ms since the epoch: the
   * start of the event-loop turn that read it (see ReadPacer.turnStartedAt),
   * one clock read per turn rather than one per frame.
   */
  get readAt(): number {
    return this.#io.pacer.turnStartedAt;
  }

  /** For the read pacer. */
  pauseReading(): void {
    this.#socket.pause();
  }

  /** For the read pacer. */
  resumeReading(): void {
    this.#socket.resume();
  }

  get isOpen(): boolean {
    return this.#socket.readyState === WebSocket.OPEN;
  }

  /** The rooms the session is in. */
  get rooms(): ReadonlySet<string> {
    return this.#rooms ?? NO_ROOMS;
  }

  /** For the room registry (rooms.ts): records a membership. */
  enterRoom(room: string): void {
    (this.#rooms ??= new Set()).add(room);
  }

  /** For the room registry (rooms.ts): forgets a membership. */
  exitRoom(room: string): void {
    this.#rooms?.delete(room);
  }

  /** With `cause: "limit"`, which limit the session went over. */
  get limit(): LimitName | undefined {
    return this.#limit;
  }

  /**
   * Sends one frame. The callback, when given, is called once the frame is
   * queued on the socket, or at once with why it could not be (a session
   * that is closing or closed reports itself gone). Where the frame leaves
   * WAIT_FOR_WRITE_FROM bytes or more unsent on the socket (a large message,
   * or a peer that reads slowly), it is called once the frame is written
   * instead, with the write's error if any: a flow that sends its next
   * message when the last one is done is then paced by the peer.
   *
   * Small frames do not wait for the write. A frame waits in the write batch
   * through the next poll for I/O, and a callback held by the socket until
   * then kept the whole message alive with it (the flow's `done` holds the
   * message): with many clients, that was most of what the young-generation
   * collector had to copy. A connection that fails after such a frame was
   * queued shows as the session's close (1006).
   */
  send(frame: FrameData, callback?: SendCallback): void {
    if (!this.isOpen) {
      callback?.(sessionGone(this.id));
      return;
    }
    const buffered = this.#socket.bufferedAmount;
    if (this.backedUp(buffered)) {
      // Dropped on purpose and counted: the flow is not told of each one.
      callback?.();
      return;
    }
    this.#io.batch.hold(this.#tcp);
    // A string's length, not its bytes: near enough for a mark, and free.
    if (callback && buffered + frame.length >= WAIT_FOR_WRITE_FROM) {
      this.#socket.send(frame, (error) => callback(error && (this.isOpen ? error : sessionGone(this.id))));
      return;
    }
    this.#socket.send(frame);
    callback?.();
  }

  /**
   * Sends, all of them, the frames a client connection kept while it was
   * down. The queue has limits of its own; the high-water mark is for what a
   * flow sends to a peer that reads slowly, and written to a socket that has
   * just opened, a queue larger than the mark would lose its tail to it.
   */
  sendQueued(frames: readonly FrameData[]): void {
    this.#io.batch.hold(this.#tcp);
    for (const frame of frames) {
      this.#socket.send(frame);
    }
  }

  /** Sends data already encoded once for many sessions (a broadcast); `binary: false` keeps text a text frame. */
  sendEncoded(data: Buffer, binary: boolean): void {
    if (this.backedUp(this.#socket.bufferedAmount)) {
      return;
    }
    this.#io.batch.hold(this.#tcp);
    this.#socket.send(data, binary ? BINARY_FRAME : TEXT_FRAME);
  }

  /**
   * Closes with `code` and `reason`, for `cause`; resolves once closed (see
   * closeSocket for the grace period).
   */
  close(code: number, reason: string, cause: CloseCause): Promise<void> {
    this.#cause ??= cause;
    return closeSocket(this.#socket, code, reason);
  }

  /**
   * One heartbeat: reports `false` when nothing came from the peer since the
   * last beat (the caller ends the session), else pings and reports `true`.
   */
  beat(): boolean {
    if (!this.#alive) {
      return false;
    }
    this.#alive = false;
    this.#socket.ping();
    return true;
  }

  /** Ends a session whose peer stopped answering: reported as its failure, then cut. */
  expire(error: Error): void {
    this.#cause ??= "heartbeat";
    this.report(error);
    this.#socket.terminate();
  }

  /**
   * Whether a new message must not be queued because the peer reads too
   * slowly (`buffered`, `ws`'s public `bufferedAmount`, over the high-water
   * mark): it is then dropped and counted, or the session is closed, as the
   * policy says.
   */
  private backedUp(buffered: number): boolean {
    const { highWaterMark, backpressure } = this.#io.limits;
    if (buffered <= highWaterMark) {
      if (this.#dropped > 0) {
        const dropped = this.#dropped;
        this.#dropped = 0;
        this.#io.handlers.onDrops?.(this, dropped, true);
      }
      return false;
    }
    if (backpressure === "close") {
      this.overLimit("backpressure");
    } else if (this.#dropped++ === 0) {
      this.#io.handlers.onDrops?.(this, 1, false);
    }
    return true;
  }

  /** Ends a session that went over a limit of this side's: 1008, `cause: "limit"`. */
  private overLimit(limit: LimitName): void {
    if (this.#limit) {
      // Closing for a limit already: every send past the mark would otherwise close it again.
      return;
    }
    this.#limit = limit;
    void this.close(CLOSE_POLICY, limit === "rate" ? "message rate limit" : "reads too slowly", "limit");
  }

  /** Reports the session's failure once: `ws` emits an error and then closes. */
  private report(error: Error): void {
    if (!this.#failed && !this.#io.quiet()) {
      this.#failed = true;
      this.#io.handlers.onError(error, this);
    }
  }
}
