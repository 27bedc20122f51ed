/** Low-volume records (checkpoints, commits, prepares, DDL) carry JSON: easy to read in the lab. */
const enc = new TextEncoder();
const dec = new TextDecoder();

export function jsonPayload(value: unknown): Uint8Array {
  return enc.encode(JSON.stringify(value));
}

export function parseJsonPayload<T>(payload: Uint8Array): T {
  return JSON.parse(dec.decode(payload)) as T;
}
