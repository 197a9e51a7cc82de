// MAC addresses: strict text form ("02:00:00:00:00:01"), formatting, and the
// tests the switch and the wire need. A MAC inside a frame is read in place
// (bytes + offset) so that forwarding never allocates a string.

import { NetError } from './errors.js';

export const MAC_LENGTH = 6;
export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

const MAC_TEXT = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Six bytes from "aa:bb:cc:dd:ee:ff" (two hex digits per byte, colons only); a NetError otherwise. */
export function parseMac(text: string): Uint8Array {
  if (!MAC_TEXT.test(text)) {
    const shown = text.length > 40 ? `${text.slice(0, 40)}...` : text;
    throw new NetError(`invalid MAC address '${shown}': expected six two-digit hex bytes separated by ':' (e.g. 02:00:00:00:00:01)`);
  }
  const bytes = new Uint8Array(MAC_LENGTH);
  for (let i = 0; i < MAC_LENGTH; i++) bytes[i] = parseInt(text.slice(i * 3, i * 3 + 2), 16);
  return bytes;
}

/** "aa:bb:cc:dd:ee:ff" (lower case) of the six bytes at `offset`. */
export function formatMac(bytes: Uint8Array, offset = 0): string {
  let s = '';
  for (let i = 0; i < MAC_LENGTH; i++) {
    const b = bytes[offset + i] ?? 0;
    s += (i ? ':' : '') + (b < 16 ? '0' : '') + b.toString(16);
  }
  return s;
}

/** The 48-bit MAC at `offset` as one number (exact: below 2^53), a cheap table key. */
export function macKey(bytes: Uint8Array, offset = 0): number {
  return (bytes[offset]! * 2 ** 40) + (bytes[offset + 1]! * 2 ** 32)
    + ((bytes[offset + 2]! << 24) >>> 0) + (bytes[offset + 3]! << 16) + (bytes[offset + 4]! << 8) + bytes[offset + 5]!;
}

/** The bytes of a key made by macKey. */
export function macFromKey(key: number): Uint8Array {
  const bytes = new Uint8Array(MAC_LENGTH);
  for (let i = MAC_LENGTH - 1; i >= 0; i--) {
    bytes[i] = key % 256;
    key = Math.floor(key / 256);
  }
  return bytes;
}

/** Group bit (bit 0 of the first byte): multicast, broadcast included. */
export function isMulticast(bytes: Uint8Array, offset = 0): boolean {
  return (bytes[offset]! & 1) === 1;
}

export function isBroadcast(bytes: Uint8Array, offset = 0): boolean {
  for (let i = 0; i < MAC_LENGTH; i++) if (bytes[offset + i] !== 0xff) return false;
  return true;
}

/** Bit 1 of the first byte: an address not from a vendor's block (virtlab's generated MACs are 02:...). */
export function isLocallyAdministered(bytes: Uint8Array, offset = 0): boolean {
  return (bytes[offset]! & 2) !== 0;
}

/** All zeros: no station has it (a switch does not learn it). */
export function isZeroMac(bytes: Uint8Array, offset = 0): boolean {
  for (let i = 0; i < MAC_LENGTH; i++) if (bytes[offset + i] !== 0) return false;
  return true;
}
