/** Opening and closing the load generator's clients in bulk. */
import { RawClient } from "./raw-client";
import type { SourceAddresses } from "./source-addresses";

/** Opens `count` raw clients, `concurrency` handshakes at a time, each from the next of `addresses`, each handshake with `headers`. */
export async function openMany(
  url: string,
  count: number,
  concurrency: number,
  addresses: SourceAddresses,
  headers: Record<string, string> = {},
): Promise<RawClient[]> {
  const clients: RawClient[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      clients.push(await RawClient.open(url, addresses.next(), headers));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return clients;
}

export async function closeAll(clients: RawClient[]): Promise<void> {
  await Promise.all(clients.map((client) => client.close()));
}
