/**
 * Builds the package as it is at a git ref, in a folder of its own, so that
 * the benchmark can run that build beside the working tree's (`--against`).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";

/** The build's progress goes to stderr, with the benchmark's, and leaves stdout to the report. */
const TO_STDERR = { stdio: ["ignore", 2, 2] as ["ignore", number, number] };

/** The commit `ref` names in the repository at `root`; throws, naming it, if there is none. */
export function resolveCommit(root: string, ref: string): string {
  try {
    return execFileSync("git", ["-C", root, "rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { encoding: "utf8" }).trim();
  } catch {
    throw new Error(`--against: no commit named ${JSON.stringify(ref)}`);
  }
}

/**
 * Writes the files of `commit` into a new folder `dir` and builds them
 * with that commit's own `scripts/build.mjs`. `git archive`, not a worktree:
 * nothing is registered in the repository, so removing `dir` is all the
 * clean-up there is. The dependencies are this checkout's, linked in, when
 * the commit's package-lock.json is this one's; else `npm ci` installs its own.
 */
export function buildCommit(root: string, commit: string, dir: string): void {
  const tarball = `${dir}.tar`;
  mkdirSync(dir);
  execFileSync("git", ["-C", root, "archive", "--format=tar", "-o", tarball, commit]);
  execFileSync("tar", ["-xf", tarball, "-C", dir]);
  rmSync(tarball);
  if (sameFile(join(root, "package-lock.json"), join(dir, "package-lock.json"))) {
    symlinkSync(join(root, "node_modules"), join(dir, "node_modules"), "dir");
  } else {
    execFileSync("npm", ["ci", "--no-audit", "--no-fund"], { cwd: dir, ...TO_STDERR });
  }
  execFileSync(process.execPath, [join(dir, "scripts", "build.mjs")], { cwd: dir, ...TO_STDERR });
}

function sameFile(a: string, b: string): boolean {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}
