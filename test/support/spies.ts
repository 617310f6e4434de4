import type { TestNode } from "./red";

/** A sinon spy as node-red-node-test-helper installs on Node.prototype. */
interface Spy {
  getCalls(): { thisValue: unknown; args: unknown[] }[];
}

/** The first arguments of every call `node` made to one of its spied methods (status, error, warn …). */
export function callsOf(node: TestNode, method: "status" | "error" | "warn" | "log"): unknown[] {
  const spy = node[method] as unknown as Spy;
  return spy
    .getCalls()
    .filter((call) => call.thisValue === node)
    .map((call) => call.args[0]);
}

/** Error texts (catalog keys under the test helper) that `node` reported. */
export function errorsOf(node: TestNode): string[] {
  return callsOf(node, "error").map((error) => (error instanceof Error ? error.message : String(error)));
}

export interface StatusCall {
  fill?: string;
  shape?: string;
  text?: string;
  event?: string;
  _session?: { type: string; id: string };
}

/** Resolves with the first status (already set or still to come) that passes `test`. */
export function statusMatching(node: TestNode, test: (status: StatusCall) => boolean, ms = 5000): Promise<StatusCall> {
  const earlier = (callsOf(node, "status") as StatusCall[]).find(test);
  if (earlier) {
    return Promise.resolve(earlier);
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      node.off("call:status", listener);
      reject(new Error(`no matching status within ${ms} ms; saw ${JSON.stringify(callsOf(node, "status"))}`));
    }, ms);
    const listener = (call: { args: unknown[] }): void => {
      const status = call.args[0] as StatusCall;
      if (test(status)) {
        clearTimeout(timer);
        node.off("call:status", listener);
        resolve(status);
      }
    };
    node.on("call:status", listener);
  });
}

/**
 * Resolves with the next error `node` reports with a message, as `done(err)`
 * and `node.error(err, msg)` do: the errors a Catch node sees.
 */
export function nextError(node: TestNode, ms = 5000): Promise<{ error: unknown; msg: unknown }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      node.off("call:error", listener);
      reject(new Error(`no error within ${ms} ms`));
    }, ms);
    const listener = (call: { args: unknown[] }): void => {
      if (call.args[1] === undefined) {
        return;
      }
      clearTimeout(timer);
      node.off("call:error", listener);
      resolve({ error: call.args[0], msg: call.args[1] });
    };
    node.on("call:error", listener);
  });
}
