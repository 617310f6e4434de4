import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, realpath, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
/** npm pack and install: generous, but bounded. */
const NPM_TIMEOUT_MS = 120000;

export interface PackedInstall {
  /** A temporary directory holding everything; remove it when done. */
  tmp: string;
  /** A Node-RED user directory with the package installed from its tarball. */
  userDir: string;
}

/**
 * The package as a user gets it: packed with npm and installed from the
 * tarball into a fresh user directory, so no devDependencies are there.
 */
export async function installPackedPackage(): Promise<PackedInstall> {
  if (!existsSync(join(ROOT, "dist", "flowsocket.js"))) {
    throw new Error("dist/flowsocket.js is missing: run `npm run build` before the e2e tests");
  }
  const tmp = await realpath(await mkdtemp(join(tmpdir(), "flowsocket-e2e-")));
  const packDir = join(tmp, "pack");
  const userDir = join(tmp, "user");
  await mkdir(packDir);
  await mkdir(userDir);

  await npm(["pack", "--pack-destination", packDir], ROOT);
  const tarballs = (await readdir(packDir)).filter((name) => name.endsWith(".tgz"));
  assert.equal(tarballs.length, 1, `npm pack made ${tarballs.join(", ") || "no tarball"}`);

  // A user directory as Node-RED makes one; without a package.json npm would
  // look for a project further up the tree.
  await writeFile(join(userDir, "package.json"), `${JSON.stringify({ name: "node-red-project", private: true })}\n`);
  await npm(["install", "--no-save", "--no-audit", "--no-fund", "--prefer-offline", join(packDir, tarballs[0]!)], userDir);
  return { tmp, userDir };
}

type FlowNode = Record<string, unknown> & { id: string; type: string };

/** The flows with the client's `localhost:1880` changed to the port this Node-RED listens on. */
export function withClientPort(flows: FlowNode[], port: number): FlowNode[] {
  return flows.map((node) => {
    if (node.type !== "flowsocket-client") {
      return node;
    }
    const url = new URL(String(node.path));
    assert.equal(url.port, "1880", `the example's client URL: ${String(node.path)}`);
    url.port = String(port);
    return { ...node, path: url.toString() };
  });
}

/** Runs npm with a bounded wait; rejects with its output when it fails. */
function npm(args: string[], cwd: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "npm",
      args,
      { cwd, timeout: NPM_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024, shell: process.platform === "win32" },
      (error, stdout, stderr) => {
        if (error) {
          reject(new Error(`npm ${args.join(" ")} failed: ${error.message}\n${stdout}\n${stderr}`));
        } else {
          resolvePromise(stdout);
        }
      },
    );
  });
}
