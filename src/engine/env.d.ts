// The engine compiles against ES2023 alone (no DOM, no Node). These two globals exist in every
// runtime we target (browsers, workers, Node) and are deterministic, so the engine may use them.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}

// Compression streams exist in every runtime we target too (browsers, workers, Node 18+); the
// engine uses them to deflate run links, through this much of their interface.
interface ByteStreamReader {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
}
interface ByteStreamWriter {
  write(chunk: Uint8Array<ArrayBuffer>): Promise<void>;
  close(): Promise<void>;
}
interface ByteTransform {
  readonly readable: { getReader(): ByteStreamReader };
  readonly writable: { getWriter(): ByteStreamWriter };
}
declare class CompressionStream implements ByteTransform {
  constructor(format: 'deflate-raw' | 'deflate' | 'gzip');
  readonly readable: { getReader(): ByteStreamReader };
  readonly writable: { getWriter(): ByteStreamWriter };
}
declare class DecompressionStream implements ByteTransform {
  constructor(format: 'deflate-raw' | 'deflate' | 'gzip');
  readonly readable: { getReader(): ByteStreamReader };
  readonly writable: { getWriter(): ByteStreamWriter };
}
