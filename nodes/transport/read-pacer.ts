import type WebSocket from "ws";

/** Frames a socket may hand over in one turn of the event loop before it waits for the next. */
export const DEFAULT_FRAMES_PER_TURN = 512;

interface Paced {
  socket: WebSocket;
  frames: number;
  paused: boolean;
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
  private active: Paced[] = [];
  private scheduled = false;
  private readonly endTurn = (): void => {
    this.scheduled = false;
    const active = this.active;
    this.active = [];
    for (const paced of active) {
      paced.frames = 0;
      if (paced.paused) {
        paced.paused = false;
        paced.socket.resume();
      }
    }
  };

  constructor(private readonly framesPerTurn: number = DEFAULT_FRAMES_PER_TURN) {}

  /** Returns the function to call for each frame `socket` delivers. */
  track(socket: WebSocket): () => void {
    const paced: Paced = { socket, frames: 0, paused: false };
    return () => {
      if (paced.frames++ === 0) {
        this.active.push(paced);
        if (!this.scheduled) {
          this.scheduled = true;
          // Queued at the turn's first frame, it runs in this iteration's
          // check phase: a paused socket is read again at the next poll.
          setImmediate(this.endTurn);
        }
      } else if (paced.frames === this.framesPerTurn) {
        paced.paused = true;
        socket.pause();
      }
    };
  }
}
