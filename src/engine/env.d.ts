// The engine compiles against ES2023 alone (no DOM, no Node). These two globals exist in every
// runtime we target (browsers, workers, Node) and are deterministic, so the engine may use them.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
