import assert from "node:assert/strict";
import { resolveHeaders } from "../../nodes/adapters/headers";
import { clientSettings } from "../../nodes/settings/client-settings";
import { commaList, flag, headerNames, lowerCaseList, oneOf, secondsToMs, SettingError } from "../../nodes/settings/parse";

const noEnv = (): unknown => undefined;

describe("client settings", () => {
  it("gives today's behaviour when a setting is absent, as in a flow converted from core", () => {
    assert.deepEqual(clientSettings({}, noEnv), {
      autoConnect: true,
      connectTimeoutMs: 15000,
      reconnect: { initialMs: 500, maxMs: 3000, factor: 2, jitter: 0, maxAttempts: 0 },
      firstFrame: undefined,
      origin: undefined,
      queue: undefined,
    });
  });

  it("reads strings as the editor saves them and real values as the admin API may", () => {
    const settings = clientSettings(
      { autoConnect: "false", connectTimeout: "2.5", reconnectDelay: 1, reconnectMax: "60", reconnectFactor: "1.5", reconnectJitter: "0.2", reconnectAttempts: "5", origin: " https://a.example " },
      noEnv,
    );
    assert.equal(settings.autoConnect, false);
    assert.equal(settings.connectTimeoutMs, 2500);
    assert.deepEqual(settings.reconnect, { initialMs: 1000, maxMs: 60000, factor: 1.5, jitter: 0.2, maxAttempts: 5 });
    assert.equal(settings.origin, "https://a.example");
  });

  it("refuses values out of range, naming the setting", () => {
    for (const [setting, value] of [
      ["connectTimeout", "0"],
      ["reconnectFactor", "0.5"],
      ["reconnectJitter", "2"],
      ["reconnectAttempts", "-1"],
      ["reconnectMax", "lots"],
    ] as const) {
      assert.throws(
        () => clientSettings({ [setting]: value }, noEnv),
        (error: unknown) => error instanceof SettingError && error.setting === setting && error.value === value,
      );
    }
  });

  it("takes the first message as text, as checked JSON, or from an environment variable", () => {
    assert.equal(clientSettings({ firstMessage: "hello", firstMessageType: "str" }, noEnv).firstFrame, "hello");
    assert.equal(clientSettings({ firstMessage: '{"op":"login"}', firstMessageType: "json" }, noEnv).firstFrame, '{"op":"login"}');
    assert.throws(() => clientSettings({ firstMessage: "{nope", firstMessageType: "json" }, noEnv), SettingError);
    const env = (name: string): unknown => (name === "LOGIN" ? { op: "login" } : undefined);
    assert.equal(clientSettings({ firstMessage: "LOGIN", firstMessageType: "env" }, env).firstFrame, '{"op":"login"}');
    assert.equal(clientSettings({ firstMessage: "UNSET", firstMessageType: "env" }, env).firstFrame, undefined);
  });
});

describe("setting readers", () => {
  it("read flags, seconds, header lists and choices", () => {
    assert.deepEqual([flag(true), flag("true"), flag("false"), flag(undefined), flag(1)], [true, true, false, false, false]);
    assert.deepEqual([secondsToMs("30"), secondsToMs(0.5), secondsToMs(""), secondsToMs("-1"), secondsToMs("x")], [30000, 500, 0, 0, 0]);
    assert.deepEqual(headerNames(" User-Agent, x-tenant,,X-TENANT, not a name, x:y "), ["user-agent", "x-tenant"]);
    assert.deepEqual([commaList(" mqtt, JSON ,,"), commaList(undefined), commaList(["mqtt"])], [["mqtt", "JSON"], [], []]);
    assert.deepEqual([lowerCaseList(" https://A.example ,, "), lowerCaseList(["X-A", "x-b"]), lowerCaseList(undefined)], [["https://a.example"], ["x-a", "x-b"], []]);
    assert.deepEqual([oneOf("json", ["auto", "json"] as const), oneOf("nope", ["auto", "json"] as const), oneOf(undefined, ["auto"] as const)], ["json", "auto", "auto"]);
  });
});

describe("resolveHeaders", () => {
  it("reads core's header format: other names and values, presets and environment variables, skipping empty ones", () => {
    const headers = resolveHeaders(
      [
        { keyType: "other", keyValue: " X-Api-Key ", valueType: "other", valueValue: "k1" },
        { keyType: "User-Agent", valueType: "Mozilla/5.0" },
        { keyType: "other", keyValue: "Authorization", valueType: "env", valueValue: "TOKEN" },
        { keyType: "other", keyValue: "X-Empty", valueType: "other", valueValue: "" },
        { keyType: "other", keyValue: "", valueType: "other", valueValue: "no name" },
      ],
      (name) => (name === "TOKEN" ? "Bearer t" : undefined),
    );
    assert.deepEqual(headers, { "X-Api-Key": "k1", "User-Agent": "Mozilla/5.0", Authorization: "Bearer t" });
    assert.deepEqual(resolveHeaders("not a list", () => undefined), {});
  });
});
