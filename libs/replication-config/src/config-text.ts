import type { ConfigIssue } from './model';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * A config file's bytes as text. Bytes that are not UTF-8 are an issue at their line, not
 * replacement characters that would turn a name into a different, invalid one somewhere later.
 * A UTF-8 byte order mark is dropped.
 */
export function decodeConfigBytes(bytes: Uint8Array): { text: string; issue?: undefined } | { text?: undefined; issue: ConfigIssue } {
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    const line = 1 + bytes.subarray(0, offset).filter((byte) => byte === 0x0a).length;
    const byte = bytes[offset].toString(16).padStart(2, '0');
    return { issue: { path: '', message: `is not UTF-8 text: a malformed byte sequence starts at byte offset ${offset} (0x${byte})`, line } };
  }
}

/** Where the first malformed UTF-8 sequence starts (RFC 3629: no overlongs, surrogates or > U+10FFFF). */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const length = sequenceLength(bytes, index);
    if (length === 0) return index;
    index += length;
  }
  return bytes.length - 1;
}

/** Length of the valid sequence starting at `index`, or 0 when it is malformed. */
function sequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index];
  if (lead < 0x80) return 1;
  // [length, lowest and highest allowed second byte] per lead byte range.
  const shape: [number, number, number] | undefined =
    lead >= 0xc2 && lead <= 0xdf ? [2, 0x80, 0xbf]
    : lead === 0xe0 ? [3, 0xa0, 0xbf]
    : lead === 0xed ? [3, 0x80, 0x9f]
    : lead >= 0xe1 && lead <= 0xef ? [3, 0x80, 0xbf]
    : lead === 0xf0 ? [4, 0x90, 0xbf]
    : lead >= 0xf1 && lead <= 0xf3 ? [4, 0x80, 0xbf]
    : lead === 0xf4 ? [4, 0x80, 0x8f]
    : undefined;
  if (shape === undefined) return 0;
  const [length, low, high] = shape;
  const second = bytes[index + 1];
  if (second === undefined || second < low || second > high) return 0;
  for (let next = index + 2; next < index + length; next++) {
    const byte = bytes[next];
    if (byte === undefined || byte < 0x80 || byte > 0xbf) return 0;
  }
  return length;
}
