import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import { ROOT } from "../support/red";

interface PackageJson {
  name: string;
  license: string;
  keywords: string[];
  engines: { node: string };
  files: string[];
  dependencies: Record<string, string>;
  "node-red": { version: string; nodes: Record<string, string> };
}

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;
const TYPES = ["flowsocket-in", "flowsocket-out", "flowsocket-listener", "flowsocket-client"];
/** Types that core Node-RED or other flow-library packages own: registering one breaks loading. */
const TAKEN = ["websocket in", "websocket out", "websocket-listener", "websocket-client", "websocket-in", "websocket-out", "websocket-server"];

function read(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/** Looks a dotted key up in a catalog. */
function lookUp(catalog: Record<string, unknown>, key: string): unknown {
  return key.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], catalog);
}

/** The names of the properties of an object literal's `defaults` object: what the editor saves. */
function defaultsOf(object: acorn.ObjectExpression): string[] {
  for (const property of object.properties) {
    if (property.type === "Property" && property.key.type === "Identifier" && property.key.name === "defaults" && property.value.type === "ObjectExpression") {
      return property.value.properties.flatMap((entry) => (entry.type === "Property" && entry.key.type === "Identifier" ? [entry.key.name] : []));
    }
  }
  return [];
}

/** The properties of an object literal whose values are literals. */
function literalProperties(object: acorn.ObjectExpression): Record<string, unknown> {
  const props: Record<string, unknown> = {};
  for (const property of object.properties) {
    if (property.type === "Property" && property.key.type === "Identifier" && property.value.type === "Literal") {
      props[property.key.name] = property.value.value;
    }
  }
  return props;
}

describe("the package", () => {
  it("describes itself as the flow library asks", () => {
    assert.equal(pkg.name, "@flowsocket/node-red");
    assert.match(pkg.license, /^(Apache-2.0|MIT)$/);
    assert.ok(pkg.keywords.includes("node-red") && pkg.keywords.includes("websocket"));
    assert.match(pkg["node-red"].version, /^>=\s*(3\.[1-9]|[4-9])\./);
    assert.ok(pkg.engines.node);
    assert.ok(Object.keys(pkg.dependencies).length <= 6);
  });

  for (const [name, file] of Object.entries(pkg["node-red"].nodes)) {
    describe(`node set ${name}`, () => {
      const base = file.replace(/\.js$/, "");
      const dir = file.slice(0, file.lastIndexOf("/"));
      const html = (): string => read(`${base}.html`);
      const catalog = (): Record<string, unknown> => JSON.parse(read(`${dir}/locales/en-US/${name}.json`));

      it("has its .js, .html, catalog and help side by side", () => {
        for (const path of [file, `${base}.html`, `${dir}/locales/en-US/${name}.json`, `${dir}/locales/en-US/${name}.html`]) {
          assert.ok(existsSync(join(ROOT, path)), `${path} exists`);
        }
      });

      /** What each RED.nodes.registerType call is given: the literal properties, and the names in `defaults`. */
      function definitions(): Map<string, { props: Record<string, unknown>; defaults: string[] }> {
        // The flow library parses each text/javascript script and reads the
        // object literal given to RED.nodes.registerType: do the same.
        const scripts = [...html().matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
        const found = new Map<string, { props: Record<string, unknown>; defaults: string[] }>();
        for (const script of scripts) {
          walk.simple(acorn.parse(script, { ecmaVersion: 2020 }), {
            CallExpression(call: acorn.CallExpression) {
              const callee = call.callee;
              const [type, definition] = call.arguments;
              if (
                callee.type === "MemberExpression" &&
                callee.property.type === "Identifier" &&
                callee.property.name === "registerType" &&
                type?.type === "Literal" &&
                definition?.type === "ObjectExpression"
              ) {
                found.set(String(type.value), { props: literalProperties(definition), defaults: defaultsOf(definition) });
              }
            },
          });
        }
        return found;
      }

      it("registers each of our types with a literal definition, as the flow library reads it", () => {
        const found = definitions();
        assert.deepEqual([...found.keys()].sort(), [...TYPES].sort());
        for (const type of TAKEN) {
          assert.equal(found.has(type), false, type);
        }
        assert.deepEqual(
          Object.fromEntries([...found].map(([type, { props }]) => [type, [props.category, props.inputs, props.outputs]])),
          {
            "flowsocket-in": ["network", 0, 1],
            "flowsocket-out": ["network", 1, 0],
            "flowsocket-listener": ["config", undefined, undefined],
            "flowsocket-client": ["config", undefined, undefined],
          },
        );
      });

      it("saves only properties the runtime reads", () => {
        // A name the editor and the runtime spell differently would be saved
        // and never used. Node-RED itself reads name and outputs. The runtime
        // reads a property as def.<name>, or by passing its name to a settings
        // reader, such as numberSetting(def, "port", ...).
        const runtime = readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
          .filter((path) => path.endsWith(".js"))
          .map((path) => readFileSync(join(ROOT, dir, path), "utf8"))
          .join("\n");
        const unread = [...definitions()].flatMap(([type, { defaults }]) =>
          defaults
            .filter((name) => name !== "name" && name !== "outputs" && !runtime.includes(`def.${name}`) && !new RegExp(`[(,]\\s*"${name}"\\s*[,)]`).test(runtime))
            .map((name) => `${type}.${name}`),
        );
        assert.deepEqual(unread, []);
      });

      it("has help for every type and an icon for every icon it names", () => {
        const help = read(`${dir}/locales/en-US/${name}.html`);
        for (const type of TYPES) {
          assert.match(help, new RegExp(`data-help-name="${type}"`), `help for ${type}`);
        }
        // Icons named without a folder are looked up in the package's icons/.
        const icons = [...html().matchAll(/icon:\s*["']([^"'/]+)["']/g)].map((m) => m[1]!);
        assert.ok(icons.length > 0, "names an icon of its own");
        for (const icon of icons) {
          assert.ok(existsSync(join(ROOT, dir, "icons", icon)), `icon ${icon}`);
        }
      });

      it("has every catalog key the runtime and the editor use", () => {
        const runtime = readdirSync(join(ROOT, dir), { recursive: true, encoding: "utf8" })
          .filter((path) => path.endsWith(".js"))
          .map((path) => readFileSync(join(ROOT, dir, path), "utf8"))
          .join("\n");
        const keys = new Set<string>();
        for (const [, key] of runtime.matchAll(/RED\._\(\s*["'`]([^"'`$]+)["'`]/g)) keys.add(key!);
        // Status texts are looked up by their last part: texts.text("x") and hub.fail("x").
        for (const [, key] of runtime.matchAll(/\.(?:text|fail)\("([^"]+)"\)/g)) keys.add(`flowsocket.status.${key}`);
        for (const [, key] of html().matchAll(/data-i18n="(?:\[[a-z]+\])?([^"]+)"/g)) keys.add(key!);
        // The editor scripts translate through FlowSocketEditor.t("key", ...).
        for (const [, key] of html().matchAll(/\bt\("([^"]+)"[,)]/g)) keys.add(key!);
        assert.ok(keys.size > 10, "found the keys");
        const missing = [...keys].filter((key) => typeof lookUp(catalog(), key.replace(/^[^:]+:/, "")) !== "string");
        assert.deepEqual(missing.filter((key) => !key.startsWith("node-red:")), []);
      });
    });
  }

  it("keeps the transport free of Node-RED", () => {
    const dir = join(ROOT, "nodes", "transport");
    for (const file of readdirSync(dir)) {
      assert.doesNotMatch(readFileSync(join(dir, file), "utf8"), /from ["']node-red|require\(["']node-red/, file);
    }
  });

  it("uses its in and out nodes in the examples", () => {
    const examples = readdirSync(join(ROOT, "examples")).filter((file) => file.endsWith(".json"));
    const used = new Set(examples.flatMap((file) => (JSON.parse(read(`examples/${file}`)) as { type: string }[]).map((n) => n.type)));
    assert.ok(used.has("flowsocket-in") && used.has("flowsocket-out"));
  });

  it("packs only what a user installs", () => {
    const [packed] = JSON.parse(
      execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }),
    ) as { files: { path: string }[] }[];
    const paths = packed!.files.map((file) => file.path);
    assert.ok(paths.includes("dist/flowsocket.js") && paths.includes("dist/flowsocket.html"));
    assert.ok(paths.includes("dist/locales/en-US/flowsocket.json") && paths.includes("dist/icons/flowsocket.svg"));
    for (const file of readdirSync(join(ROOT, "examples"))) {
      assert.ok(paths.includes(`examples/${file}`), file);
    }
    const stray = paths.filter((path) => !/^(dist\/|examples\/|README\.md$|LICENSE$|package\.json$)/.test(path));
    assert.deepEqual(stray, []);
  });
});
