const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads lib0's variable-length encoding (the wire format of Yjs, y-protocols and Hocuspocus):
 * varUint (7 bits per byte, little-endian), varString and varUint8Array (length-prefixed).
 * Throws RangeError on truncated or oversized input.
 */
export class VarReader {
  #pos = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.#pos >= this.bytes.length;
  }

  varUint(): number {
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < 8; i++) {
      if (this.#pos >= this.bytes.length) throw new RangeError('truncated varUint');
      const byte = this.bytes[this.#pos++];
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        if (value > Number.MAX_SAFE_INTEGER) throw new RangeError('varUint too large');
        return value;
      }
      multiplier *= 128;
    }
    throw new RangeError('varUint too long');
  }

  varUint8Array(): Uint8Array {
    const length = this.varUint();
    if (this.#pos + length > this.bytes.length) throw new RangeError('truncated byte array');
    const out = this.bytes.subarray(this.#pos, this.#pos + length);
    this.#pos += length;
    return out;
  }

  varString(): string {
    return utf8.decode(this.varUint8Array());
  }
}
