import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { ClientConnection } from "../../nodes/transport/client-connection";
import { ConnectError, connectFailure, type ConnectCause } from "../../nodes/transport/connect-failure";
import { makeCertificates } from "../support/certs";
import { SilentServer } from "../support/peers";
import { Recorder } from "../support/recorder";

/** The failure of the first attempt to connect to `url`, classified. */
async function firstFailure(url: string, handshakeTimeoutMs = 5000): Promise<ConnectError> {
  const recorder = new Recorder();
  const connection = new ClientConnection({ url, handshakeTimeoutMs }, recorder);
  connection.start();
  try {
    const { error } = await recorder.wait("error", 1, handshakeTimeoutMs + 2000);
    assert.ok(error instanceof ConnectError, `a ConnectError, not ${String(error)}`);
    return error;
  } finally {
    await connection.stop();
  }
}

async function listening(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
}

describe("connect failures", () => {
  it("tells what failed for each kind of failure", async () => {
    const http = createHttpServer((request, response) => {
      response.statusCode = request.url === "/forbidden" ? 403 : 404;
      response.end();
    });
    const certs = makeCertificates();
    const https = createHttpsServer({ cert: certs.cert, key: certs.key });
    const silent = await SilentServer.start();
    const dropper = await SilentServer.start({ drop: true });
    const httpPort = await listening(http);
    const httpsPort = await listening(https);
    try {
      const cases: [string, ConnectCause, number?][] = [
        [`ws://127.0.0.1:${httpPort}/nothing`, "not-found", 404],
        [`ws://127.0.0.1:${httpPort}/forbidden`, "http", 403],
        [`wss://127.0.0.1:${httpPort}/ws`, "not-tls"],
        // Signed by the tests' own authority, which the client does not trust.
        [`wss://127.0.0.1:${httpsPort}/ws`, "tls"],
        [`ws://127.0.0.1:${dropper.port}/ws`, "no-answer"],
        [`ws://nothing-here.invalid/ws`, "dns"],
      ];
      for (const [url, cause, status] of cases) {
        const failure = await firstFailure(url);
        assert.equal(failure.failure, cause, `${url}: ${failure.detail}`);
        assert.equal(failure.status, status);
        assert.doesNotMatch(failure.detail, /\n/, "one line");
      }
      assert.equal((await firstFailure(`ws://127.0.0.1:${silent.port}/ws`, 300)).failure, "timeout");
    } finally {
      try {
        await Promise.all([stop(http), stop(https), silent.stop(), dropper.stop()]);
      } finally {
        certs.remove();
      }
    }
  });

  it("calls a closed port refused", async () => {
    const server = createHttpServer();
    const port = await listening(server);
    await stop(server);
    assert.equal((await firstFailure(`ws://127.0.0.1:${port}/ws`)).failure, "refused");
  });

  it("keeps what the system said, on one line", () => {
    const error = Object.assign(new Error("write EPROTO 80:error:0A00010B:SSL routines::wrong version number:x.c:350:\n"), { code: "EPROTO" });
    const failure = connectFailure(error);
    assert.equal(failure.failure, "not-tls");
    assert.equal(failure.detail, "write EPROTO 80:error:0A00010B:SSL routines::wrong version number:x.c:350:");
    assert.equal(failure.code, "FLOWSOCKET_ERR_CONNECT_FAILED");
  });
});
