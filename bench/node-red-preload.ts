/**
 * Preloaded into the benchmark's Node-RED process with `--require`:
 * - a full garbage collection on SIGWINCH (with --expose-gc), so memory per
 *   connection is read without the garbage of earlier cases, and then
 *   process.memoryUsage() written to FLOWSOCKET_MEMORY_FILE. Not SIGUSR2:
 *   Node-RED stops on it (for nodemon); SIGWINCH is ignored by default, so
 *   without this file nothing happens;
 * - with FLOWSOCKET_CPU_PROFILE_DIR set, a CPU profile of the whole run,
 *   written when the process exits (Node's --cpu-prof is not allowed in
 *   NODE_OPTIONS, so the inspector is driven from here).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";

const collect = (globalThis as { gc?: () => void }).gc;
const memoryFile = process.env.FLOWSOCKET_MEMORY_FILE;
process.on("SIGWINCH", () => {
  // Twice: the first collection's finalizers free more for the second. Then
  // a moment for V8 to hand freed pages back, so RSS reflects what is live.
  collect?.();
  collect?.();
  setTimeout(() => {
    if (memoryFile) {
      writeFileSync(memoryFile, JSON.stringify(process.memoryUsage()));
    }
  }, 500);
});

const profileDir = process.env.FLOWSOCKET_CPU_PROFILE_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    // An in-process inspector session answers synchronously, so this works in 'exit'.
    session.post("Profiler.stop", (error, result) => {
      if (!error) {
        writeFileSync(join(profileDir, `node-red-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
      }
    });
  });
}
