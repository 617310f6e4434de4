/** The orchestrator's side of the load generator (load-generator.ts), driven over IPC one case at a time. */
import type { ChildProcess } from "node:child_process";
import type { GeneratorCommand, GeneratorEvent } from "./protocol";

export class Generator {
  private waiting: ((event: GeneratorEvent) => void)[] = [];
  private readonly backlog: GeneratorEvent[] = [];

  private failure: Error | undefined;

  constructor(readonly child: ChildProcess) {
    child.on("message", (event: GeneratorEvent) => {
      if (event.event === "failed") {
        // Fails whoever waits now or next, so the run unwinds through its clean-up.
        this.failure = new Error(`load generator failed: ${event.message}`);
      }
      const waiter = this.waiting.shift();
      if (waiter) {
        waiter(event);
      } else {
        this.backlog.push(event);
      }
    });
  }

  next(ms = 120000): Promise<GeneratorEvent> {
    const queued = this.backlog.shift();
    if (queued) {
      return Promise.resolve(queued);
    }
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`the load generator said nothing for ${ms} ms`)), ms);
      this.waiting.push((event) => {
        clearTimeout(timer);
        resolvePromise(event);
      });
    });
  }

  async expect<E extends GeneratorEvent["event"]>(name: E): Promise<Extract<GeneratorEvent, { event: E }>> {
    const event = await this.next();
    if (this.failure) {
      throw this.failure;
    }
    if (event.event !== name) {
      throw new Error(`expected '${name}' from the load generator, got ${JSON.stringify(event)}`);
    }
    return event as Extract<GeneratorEvent, { event: E }>;
  }

  send(command: GeneratorCommand): void {
    this.child.send(command);
  }
}
