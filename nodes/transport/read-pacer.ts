import { NOT_YET_A_NUMBER } from "./shared-numbers";

/** Frames a socket may hand over in one turn of the event loop before it waits for the next. */
export const DEFAULT_FRAMES_PER_TURN = 512;

/**
 * What the pacer keeps of each reader: its count of frames this turn, kept
 * on the reader itself (a session) rather than in an object and a closure of
 * the pacer's per socket, which every idle connection would carry.
 */
export interface PacedReader {
  /** Frames delivered in this turn; only the pacer writes it. At `framesPerTurn` or more, the pacer has paused it. */
  pacedFrames: number;
  pauseReading(): void;
  resumeReading(): void;
}

/**
 * Stops reading from a socket for the rest of an event-loop turn once it has
 * delivered `framesPerTurn` frames in it. Node-RED queues one delivery per
 * message, so a peer that floods would otherwise queue tens of thousands of
 * messages in one turn (Node.js reads a busy socket up to 32 times per turn),
 * keep them all alive at once, and push the garbage collector into costly
 * full collections, slowing every flow. It also stops one peer from starving
 * the others.
 */
export class ReadPacer {
  /**
   * When the current (or last) turn that read frames began, in ms since the
   * epoch: the clock is read at a turn's first frame, not at every frame.
   * Every frame of a turn was in Node's buffers when the turn began. Held as
   * a pointer, so that the messages of a turn share the one number as their
   * `receivedAt` (see shared-numbers.ts).
   */
  turnStartedAt: number = NOT_YET_A_NUMBER;
  private active: PacedReader[] = [];
  private scheduled = false;
  private readonly endTurn = (): void => {
    this.scheduled = false;
    const active = this.active;
    this.active = [];
    for (const reader of active) {
      // Frames already read when it paused may still have come in after it.
      const paused = reader.pacedFrames >= this.framesPerTurn;
      reader.pacedFrames = 0;
      if (paused) {
        reader.resumeReading();
      }
    }
  };

  constructor(private readonly framesPerTurn: number = DEFAULT_FRAMES_PER_TURN) {
    this.turnStartedAt = 0;
  }

  /** To be called for each frame `reader` delivers. */
  count(reader: PacedReader): void {
    if (reader.pacedFrames++ === 0) {
      this.active.push(reader);
      if (!this.scheduled) {
        this.scheduled = true;
        this.turnStartedAt = Date.now();
        // Queued at the turn's first frame, it runs in this iteration's
        // check phase: a paused socket is read again at the next poll.
        setImmediate(this.endTurn);
      }
    } else if (reader.pacedFrames === this.framesPerTurn) {
      reader.pauseReading();
    }
  }
}
