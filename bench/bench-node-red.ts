/** Starts a Node-RED process for the benchmark, with one build of this package installed in its own user directory. */
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { NodeRedProcess } from "../test/support/node-red-process";
import { COUNTED_NODE_ARGS, COUNTED_START_TIMEOUT_MS, countingLauncher } from "./instructions";

export interface BenchNodeRedOptions {
  /** The package folder to install: its package.json names the built nodes. */
  packageDir: string;
  /** A user directory to create. */
  userDir: string;
  /** Where the preload writes the process's memory on SIGWINCH (node-red-preload.ts). */
  memoryFile: string;
  /** Where to write a CPU profile of the process, or "" for none. */
  profileDir: string;
  /** What to start Node under, to raise its open-file limit (open-files.ts); empty for nothing. */
  launcher: readonly string[];
  /** Where callgrind writes the process's instruction counts (instructions.ts), to run it counted. */
  countedTo?: string;
}

/**
 * Links the package into the user directory, as `npm start` does, and starts
 * Node-RED with the preload and quiet logging, under callgrind when asked. The preload's settings reach
 * Node-RED through its environment, which it takes from this process's.
 */
export async function startBenchNodeRed(options: BenchNodeRedOptions): Promise<NodeRedProcess> {
  await mkdir(join(options.userDir, "node_modules", "@flowsocket"), { recursive: true });
  await symlink(options.packageDir, join(options.userDir, "node_modules", "@flowsocket", "node-red"), "dir");
  await writeFile(join(options.userDir, "package.json"), '{"name":"flowsocket-bench","private":true}\n');
  process.env.FLOWSOCKET_MEMORY_FILE = options.memoryFile;
  process.env.NODE_OPTIONS = `--expose-gc --require=${join(__dirname, "node-red-preload.js")}`;
  if (options.profileDir) {
    process.env.FLOWSOCKET_CPU_PROFILE_DIR = options.profileDir;
  }
  try {
    const counted = options.countedTo;
    return await NodeRedProcess.start({
      userDir: options.userDir,
      launcher: counted ? countingLauncher(options.launcher, counted) : options.launcher,
      ...(counted ? { nodeArgs: COUNTED_NODE_ARGS, startTimeoutMs: COUNTED_START_TIMEOUT_MS } : {}),
      settings: { logging: { console: { level: "warn", metrics: false, audit: false } } },
    });
  } finally {
    delete process.env.NODE_OPTIONS;
    delete process.env.FLOWSOCKET_MEMORY_FILE;
    delete process.env.FLOWSOCKET_CPU_PROFILE_DIR;
  }
}
