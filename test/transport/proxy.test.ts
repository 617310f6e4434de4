import assert from "node:assert/strict";
import { proxyForUrl } from "../../nodes/transport/proxy";

const ws = new URL("ws://example.com/socket");
const wss = new URL("wss://example.com/socket");

describe("proxyForUrl", () => {
  it("uses http_proxy for ws:// and https_proxy for wss://", () => {
    const env = { http_proxy: "http://plain:3128", https_proxy: "http://secure:3128" };
    assert.equal(proxyForUrl(ws, env), "http://plain:3128");
    assert.equal(proxyForUrl(wss, env), "http://secure:3128");
  });

  it("prefers ws_proxy/wss_proxy and falls back to all_proxy", () => {
    assert.equal(proxyForUrl(ws, { ws_proxy: "http://w:1", http_proxy: "http://h:1" }), "http://w:1");
    assert.equal(proxyForUrl(wss, { ALL_PROXY: "http://all:1" }), "http://all:1");
    assert.equal(proxyForUrl(ws, {}), undefined);
  });

  it("adds http:// to a proxy given without a scheme", () => {
    assert.equal(proxyForUrl(ws, { HTTP_PROXY: "proxy:8080" }), "http://proxy:8080");
  });

  it("honours no_proxy entries, suffixes, ports and *", () => {
    const proxy = { http_proxy: "http://p:1" };
    assert.equal(proxyForUrl(ws, { ...proxy, no_proxy: "example.com" }), undefined);
    assert.equal(proxyForUrl(ws, { ...proxy, no_proxy: ".example.com" }), undefined);
    assert.equal(proxyForUrl(new URL("ws://a.example.com"), { ...proxy, no_proxy: "*.example.com" }), undefined);
    assert.equal(proxyForUrl(ws, { ...proxy, no_proxy: "example.com:81" }), "http://p:1");
    assert.equal(proxyForUrl(ws, { ...proxy, no_proxy: "example.com:80" }), undefined);
    assert.equal(proxyForUrl(ws, { ...proxy, NO_PROXY: "*" }), undefined);
    assert.equal(proxyForUrl(ws, { ...proxy, no_proxy: "other.org, localhost" }), "http://p:1");
  });

  it("follows Node-RED's proxyOptions", () => {
    const env = { http_proxy: "http://lower:1", HTTP_PROXY: "http://upper:1", npm_config_proxy: "http://npm:1" };
    assert.equal(proxyForUrl(ws, env, { favourUpperCase: true }), "http://upper:1");
    assert.equal(proxyForUrl(ws, { HTTP_PROXY: "http://upper:1" }, { lowerCaseOnly: true }), undefined);
    assert.equal(proxyForUrl(wss, { npm_config_proxy: "http://npm:1" }, { excludeNpm: true }), undefined);
    assert.equal(proxyForUrl(wss, { npm_config_proxy: "http://npm:1" }), "http://npm:1");
    assert.equal(proxyForUrl(ws, { http_proxy: "http://p:1", no_proxy: "example" }, { mode: "legacy" }), undefined);
    assert.equal(proxyForUrl(wss, { https_proxy: "http://p:1" }, { mode: "legacy" }), undefined);
  });
});
