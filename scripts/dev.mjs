// Starts Node-RED for local development, with this package installed in a
// throw-away user directory (.node-red-dev/) and the echo example deployed
// on first run. `npm start` builds dist/ first; this script only runs.
// FLOWSOCKET_DEV_DIR names another user directory, so that a test can run
// this script without touching the developer's .node-red-dev/.
import { spawn } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const userDir = resolve(process.env.FLOWSOCKET_DEV_DIR || join(root, ".node-red-dev"));
const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

if (!existsSync(join(root, pkg["node-red"].nodes.flowsocket))) {
  console.error(`${pkg["node-red"].nodes.flowsocket} is missing: run \`npm run build\` (or \`npm start\`) first.`);
  process.exit(1);
}

/** The repository's node_modules as seen from the user directory, through a link: see run(). */
const runtimeModules = join(userDir, ".runtime", "node_modules");

// This package, in the user directory as a link to the repository, so a
// rebuild is picked up on the next start with no reinstall.
ensureLink(join(userDir, "node_modules", ...pkg.name.split("/")), root);
ensureLink(runtimeModules, dirname(dirname(require.resolve("node-red/package.json"))));
recordDependency();
const settingsFile = writeSettingsIfMissing();
writeFlowsIfMissing();
run();

/**
 * Makes `link` a link to the directory `target`, unless it is one already.
 * Node-RED's registry reads `<userDir>/node_modules` with readdir and stat,
 * which follow links, and finds this package's `examples/` through its link;
 * with --preserve-symlinks (see run()) the package's `require("ws")` looks in
 * `<link>/node_modules`, which is the repository's.
 */
function ensureLink(link, target) {
  // A relative target keeps working if the repository moves; Windows wants an absolute junction.
  const linkTarget = process.platform === "win32" ? target : relative(dirname(link), target);
  const type = process.platform === "win32" ? "junction" : "dir";
  let stat;
  try {
    stat = lstatSync(link);
  } catch (error) {
    if (error.code !== "ENOENT") {
      throw error;
    }
  }
  if (stat?.isSymbolicLink() && resolve(dirname(link), readlinkSync(link)) === resolve(target)) {
    return;
  }
  if (stat) {
    // Something else is there, such as an `npm install` of a packed tarball: replace it.
    console.log(`Replacing ${relative(root, link)} with a link to ${relative(root, target) || "the repository"}`);
    rmSync(link, { recursive: true, force: true });
  }
  mkdirSync(dirname(link), { recursive: true });
  symlinkSync(linkTarget, link, type);
}

/**
 * Lists the package in the user directory's package.json, as the palette
 * manager's install would, so the editor shows it as a user-installed module.
 */
function recordDependency() {
  const file = join(userDir, "package.json");
  const project = existsSync(file)
    ? JSON.parse(readFileSync(file, "utf8"))
    : { name: "node-red-project", description: "FlowSocket development", version: "0.0.1", private: true };
  project.dependencies ??= {};
  const spec = `file:${relative(userDir, root).split(sep).join("/")}`;
  if (project.dependencies[pkg.name] !== spec) {
    project.dependencies[pkg.name] = spec;
    writeFileSync(file, `${JSON.stringify(project, null, 4)}\n`);
  }
}

/** Writes settings.js unless one is there already, which is then left as the developer made it. */
function writeSettingsIfMissing() {
  const file = join(userDir, "settings.js");
  if (!existsSync(file)) {
    writeFileSync(
      file,
      `// Node-RED settings for developing ${pkg.name}, written by scripts/dev.mjs
// when missing. Edit freely: it is not written again while it exists.
module.exports = {
    uiHost: "127.0.0.1",
    uiPort: Number(process.env.PORT) || 1880,
    flowFile: "flows.json",
    flowFilePretty: true,
    // A throw-away directory: keep credentials readable rather than encrypted with a generated key.
    credentialSecret: false,
    // Nothing over the canvas on first open: no telemetry consent prompt, no
    // update notice, no welcome tour.
    telemetry: { enabled: false, updateNotification: false },
    editorTheme: { tours: false },
    logging: {
        console: { level: "info", metrics: false, audit: false },
    },
};
`,
    );
    console.log(`Wrote ${relative(root, file)}`);
  }
  return file;
}

/**
 * Deploys the echo example on first run. Its client connects to port 1880;
 * when PORT says otherwise, the URL is changed to match so it still works.
 */
function writeFlowsIfMissing() {
  const file = join(userDir, "flows.json");
  if (existsSync(file)) {
    return;
  }
  const port = Number(process.env.PORT) || 1880;
  const flows = JSON.parse(readFileSync(join(root, "examples", "echo.json"), "utf8"));
  for (const node of flows) {
    if (node.type === "flowsocket-client" && typeof node.path === "string") {
      node.path = node.path.replace(/^(wss?:\/\/localhost):1880(?=\/)/, `$1:${port}`);
    }
  }
  writeFileSync(file, `${JSON.stringify(flows, null, 4)}\n`);
  console.log(`Wrote ${relative(root, file)} from examples/echo.json`);
}

/** The editor's address, from the settings Node-RED is about to read. */
function editorUrl() {
  let settings = {};
  try {
    settings = require(settingsFile);
  } catch (error) {
    console.warn(`Could not read ${relative(root, settingsFile)}: ${error.message}`);
  }
  const host = settings.uiHost && settings.uiHost !== "0.0.0.0" && settings.uiHost !== "::" ? settings.uiHost : "127.0.0.1";
  const port = settings.uiPort ?? (Number(process.env.PORT) || 1880);
  const adminRoot = typeof settings.httpAdminRoot === "string" ? settings.httpAdminRoot : "/";
  const path = `/${adminRoot.replace(/^\/+|\/+$/g, "")}/`.replace(/\/+$/, "/");
  const scheme = settings.https ? "https" : "http";
  return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
}

/**
 * Runs Node-RED from devDependencies in the foreground and exits as it does.
 *
 * Node-RED appends "-git" to its version when a `.git` sits four levels above
 * `@node-red/runtime/lib` (getVersion in @node-red/runtime/lib/index.js),
 * which, installed in this repository, is the repository's own. So red.js is
 * started through the user directory's `.runtime/node_modules` link, and
 * --preserve-symlinks(-main) keeps every module at its path through the link:
 * four levels up is then `.runtime/`, which has no `.git`.
 */
function run() {
  const redJs = join(runtimeModules, "node-red", "red.js");
  console.log(`Node-RED editor: ${editorUrl()}  (user directory ${relative(root, userDir)}/, Ctrl-C to stop)`);
  const child = spawn(process.execPath, ["--preserve-symlinks", "--preserve-symlinks-main", redJs, "--userDir", userDir], {
    cwd: root,
    stdio: "inherit",
  });

  // A terminal's Ctrl-C reaches both processes; Node-RED ignores a second signal while it stops.
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(signal);
    }
  };
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
  for (const signal of signals) {
    process.on(signal, forward);
  }
  child.on("error", (error) => {
    console.error(`Could not start Node-RED: ${error.message}`);
    process.exit(1);
  });
  child.on("exit", (code, signal) => {
    for (const name of signals) {
      process.off(name, forward);
    }
    if (signal) {
      // End the same way, so a caller sees the signal rather than a made-up code.
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}
