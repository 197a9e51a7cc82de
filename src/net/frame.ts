// Ethernet frames as bytes: destination MAC, source MAC, an optional 802.1Q
// tag (TPID 0x8100, then TCI: priority 3 bits, DEI 1 bit, VLAN ID 12 bits),
// ethertype, payload; no FCS (types.ts).
//
// Lengths: a frame needs its 14-byte header (18 with a tag) and carries 0..1500
// bytes of payload. Real Ethernet pads to 60 bytes on the wire; virtlab does
// not require it (a driver may pad, the switch and the wire pass short frames
// as they are), so only the header sets the minimum.

import { NetError } from './errors.js';
import { formatMac, MAC_LENGTH, parseMac } from './mac.js';
import type { FrameEvent } from './types.js';

export const ETH_HEADER_LENGTH = 14;
export const VLAN_TAG_LENGTH = 4;
export const TPID_8021Q = 0x8100;
export const MAX_PAYLOAD = 1500;
/** VLAN IDs 1..4094 name VLANs; 0 in a tag means "priority only", 4095 is reserved. */
export const MAX_VID = 4094;
/** IEEE's local experimental ethertype, what the wire's generator sends. */
export const ETHERTYPE_EXPERIMENTAL = 0x88b5;

export interface VlanTag {
  vid: number;
  priority: number;
  dei: boolean;
}

/** A frame taken apart (parseFrame) or to put together (buildFrame); the payload of a parsed frame is a view of its bytes. */
export interface Frame {
  dst: string;
  src: string;
  vlan?: VlanTag;
  ethertype: number;
  payload: Uint8Array;
}

/** The FrameEvent fields that come from the frame itself. */
export type FrameFields = Pick<FrameEvent, 'dst' | 'src' | 'vlan' | 'ethertype' | 'length'>;

/** True when bytes 12..13 are the 802.1Q TPID (the frame is at least 14 bytes). */
export function isTagged(bytes: Uint8Array): boolean {
  return bytes.length >= ETH_HEADER_LENGTH && bytes[12] === 0x81 && bytes[13] === 0x00;
}

/** Header length: 14, or 18 with a tag. */
export function headerLength(bytes: Uint8Array): number {
  return isTagged(bytes) ? ETH_HEADER_LENGTH + VLAN_TAG_LENGTH : ETH_HEADER_LENGTH;
}

/** Why the bytes are not a frame, as a DropReason, or undefined when they are one. */
export function frameError(bytes: Uint8Array): 'too-short' | 'too-long' | undefined {
  if (bytes.length < ETH_HEADER_LENGTH) return 'too-short';
  const header = headerLength(bytes);
  if (bytes.length < header) return 'too-short';
  return bytes.length - header > MAX_PAYLOAD ? 'too-long' : undefined;
}

/** The 16-bit TCI of a tagged frame (at least 16 bytes), or undefined. */
export function tagControl(bytes: Uint8Array): number | undefined {
  return isTagged(bytes) && bytes.length >= 16 ? (bytes[14]! << 8) | bytes[15]! : undefined;
}

export function tciOf(tag: VlanTag): number {
  return (tag.priority << 13) | (tag.dei ? 0x1000 : 0) | tag.vid;
}

export function tagOf(tci: number): VlanTag {
  return { vid: tci & 0xfff, priority: tci >>> 13, dei: (tci & 0x1000) !== 0 };
}

/** The ethertype after the tag, if any (the frame must be valid). */
export function ethertypeOf(bytes: Uint8Array): number {
  const at = headerLength(bytes) - 2;
  return (bytes[at]! << 8) | bytes[at + 1]!;
}

/** A copy of a valid untagged frame with a tag carrying `tci` inserted after the MACs. */
export function addTag(bytes: Uint8Array, tci: number): Uint8Array {
  const out = new Uint8Array(bytes.length + VLAN_TAG_LENGTH);
  out.set(bytes.subarray(0, 2 * MAC_LENGTH));
  out[12] = TPID_8021Q >>> 8;
  out[13] = TPID_8021Q & 0xff;
  out[14] = (tci >>> 8) & 0xff;
  out[15] = tci & 0xff;
  out.set(bytes.subarray(2 * MAC_LENGTH), 2 * MAC_LENGTH + VLAN_TAG_LENGTH);
  return out;
}

/** A copy of a valid tagged frame without its tag. */
export function removeTag(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length - VLAN_TAG_LENGTH);
  out.set(bytes.subarray(0, 2 * MAC_LENGTH));
  out.set(bytes.subarray(2 * MAC_LENGTH + VLAN_TAG_LENGTH), 2 * MAC_LENGTH);
  return out;
}

/** Take a frame apart; a NetError (one line) when it is too short or its payload is over 1500 bytes. */
export function parseFrame(bytes: Uint8Array): Frame {
  const error = frameError(bytes);
  if (error === 'too-short') {
    throw new NetError(`frame too short: ${bytes.length} bytes, the header needs ${bytes.length >= ETH_HEADER_LENGTH ? ETH_HEADER_LENGTH + VLAN_TAG_LENGTH : ETH_HEADER_LENGTH}`);
  }
  const header = headerLength(bytes);
  if (error === 'too-long') throw new NetError(`frame too long: ${bytes.length - header} bytes of payload, at most ${MAX_PAYLOAD}`);
  const tci = tagControl(bytes);
  return {
    dst: formatMac(bytes, 0),
    src: formatMac(bytes, MAC_LENGTH),
    ...(tci === undefined ? {} : { vlan: tagOf(tci) }),
    ethertype: ethertypeOf(bytes),
    payload: bytes.subarray(header),
  };
}

function checkField(what: string, value: number, max: number): void {
  if (!Number.isInteger(value) || value < 0 || value > max) throw new NetError(`${what} ${value} out of range 0..${max}`);
}

/** Put a frame together; a NetError (one line) on a bad MAC, tag, ethertype or payload length. */
export function buildFrame(frame: { dst: string | Uint8Array; src: string | Uint8Array; vlan?: VlanTag | number; ethertype: number; payload?: Uint8Array }): Uint8Array {
  const macBytes = (m: string | Uint8Array, what: string): Uint8Array => {
    if (typeof m === 'string') return parseMac(m);
    if (m.length !== MAC_LENGTH) throw new NetError(`${what} MAC has ${m.length} bytes, not ${MAC_LENGTH}`);
    return m;
  };
  const dst = macBytes(frame.dst, 'destination');
  const src = macBytes(frame.src, 'source');
  const tag = typeof frame.vlan === 'number' ? { vid: frame.vlan, priority: 0, dei: false } : frame.vlan;
  if (tag) {
    checkField('VLAN ID', tag.vid, 4095);
    checkField('VLAN priority', tag.priority, 7);
  }
  checkField('ethertype', frame.ethertype, 0xffff);
  if (frame.ethertype === TPID_8021Q) throw new NetError('ethertype 0x8100 is the VLAN tag: give the VLAN instead');
  const payload = frame.payload ?? new Uint8Array(0);
  if (payload.length > MAX_PAYLOAD) throw new NetError(`payload of ${payload.length} bytes, at most ${MAX_PAYLOAD}`);
  const header = tag ? ETH_HEADER_LENGTH + VLAN_TAG_LENGTH : ETH_HEADER_LENGTH;
  const out = new Uint8Array(header + payload.length);
  out.set(dst, 0);
  out.set(src, MAC_LENGTH);
  let at = 2 * MAC_LENGTH;
  if (tag) {
    const tci = tciOf(tag);
    out.set([TPID_8021Q >>> 8, TPID_8021Q & 0xff, tci >>> 8, tci & 0xff], at);
    at += VLAN_TAG_LENGTH;
  }
  out[at] = frame.ethertype >>> 8;
  out[at + 1] = frame.ethertype & 0xff;
  out.set(payload, header);
  return out;
}

/**
 * The FrameEvent fields of any bytes, a frame or not (a drop of a too-short
 * frame is traced too): a MAC the bytes do not reach is '', an ethertype they
 * do not reach is 0, and a tag cut short leaves vlan out and ethertype 0x8100.
 */
export function describeFrame(bytes: Uint8Array): FrameFields {
  const n = bytes.length;
  const fields: FrameFields = {
    dst: n >= MAC_LENGTH ? formatMac(bytes, 0) : '',
    src: n >= 2 * MAC_LENGTH ? formatMac(bytes, MAC_LENGTH) : '',
    ethertype: 0,
    length: n,
  };
  if (n < ETH_HEADER_LENGTH) return fields;
  if (!isTagged(bytes) || n < ETH_HEADER_LENGTH + VLAN_TAG_LENGTH) {
    fields.ethertype = (bytes[12]! << 8) | bytes[13]!;
    return fields;
  }
  fields.vlan = tagControl(bytes)! & 0xfff;
  fields.ethertype = ethertypeOf(bytes);
  return fields;
}
