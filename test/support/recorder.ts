import type { ClientHandlers, ConnectionState, StateDetail } from "../../nodes/transport/client-connection";
import type { FrameData } from "../../nodes/transport/codec";
import type { Session } from "../../nodes/transport/session";

export type Recorded =
  | { kind: "state"; state: ConnectionState; detail: StateDetail }
  | { kind: "open"; session: Session }
  | { kind: "message"; session: Session; frame: FrameData }
  | { kind: "close"; session: Session; code: number; reason: string }
  | { kind: "error"; error: Error; session: Session | undefined };

/** Channel handlers that record every call, for tests to await. */
export class Recorder implements ClientHandlers {
  readonly events: Recorded[] = [];
  private waiters: (() => void)[] = [];

  onState(state: ConnectionState, detail: StateDetail): void {
    this.push({ kind: "state", state, detail });
  }
  onOpen(session: Session): void {
    this.push({ kind: "open", session });
  }
  onMessage(session: Session, frame: FrameData): void {
    this.push({ kind: "message", session, frame });
  }
  onClose(session: Session, code: number, reason: string): void {
    this.push({ kind: "close", session, code, reason });
  }
  onError(error: Error, session: Session | undefined): void {
    this.push({ kind: "error", error, session });
  }

  of<K extends Recorded["kind"]>(kind: K): Extract<Recorded, { kind: K }>[] {
    return this.events.filter((event): event is Extract<Recorded, { kind: K }> => event.kind === kind);
  }

  /** Resolves with the `count`-th event of `kind` (1-based). */
  async wait<K extends Recorded["kind"]>(kind: K, count = 1, ms = 5000): Promise<Extract<Recorded, { kind: K }>> {
    const deadline = Date.now() + ms;
    while (this.of(kind).length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`only ${this.of(kind).length} of ${count} '${kind}' events within ${ms} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.of(kind)[count - 1]!;
  }

  private push(event: Recorded): void {
    this.events.push(event);
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((wake) => wake());
  }
}
