import { FlowsocketError } from "./errors";

const HTTP_TOKEN = /^[!#$%&'*+\-.0-9A-Z^_`|a-z~]+$/;

/** Whether `value` is an HTTP token (RFC 9110, section 5.6.2): what a header name or an RFC 6455 subprotocol is made of. */
export function isHttpToken(value: string): boolean {
  return HTTP_TOKEN.test(value);
}

/**
 * Checks a subprotocol list before `ws` sees it: `ws` throws from its
 * constructor on a bad one, which at reconnect time would be an uncaught error.
 *
 * @throws FlowsocketError `FLOWSOCKET_ERR_INVALID_PROTOCOL`
 */
export function checkProtocols(protocols: readonly string[]): void {
  const seen = new Set<string>();
  for (const protocol of protocols) {
    if (!isHttpToken(protocol) || seen.has(protocol)) {
      throw new FlowsocketError("FLOWSOCKET_ERR_INVALID_PROTOCOL", `Invalid or repeated subprotocol: ${protocol}`);
    }
    seen.add(protocol);
  }
}
