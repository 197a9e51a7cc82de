// The classic libpcap capture format (what `tcpdump -r` reads), written
// little-endian: a 24-byte global header (magic 0xa1b2c3d4, version 2.4,
// thiszone 0, sigfigs 0, snaplen 65535, link type 1 = Ethernet), then per
// frame a 16-byte record header (seconds, microseconds, captured length,
// original length) and the frame's bytes (no FCS).
//
// Time is the machine clock, never the wall clock, so a capture is the same on
// every run: 1 clock tick counts as 1 ns, so a frame at clock t is stamped
// sec = floor(t / 1e9), usec = floor(t / 1e3) % 1e6.

import { NetError } from './errors.js';

export const PCAP_MAGIC = 0xa1b2c3d4;
export const PCAP_GLOBAL_HEADER_LENGTH = 24;
export const PCAP_RECORD_HEADER_LENGTH = 16;
export const PCAP_SNAPLEN = 65535;
export const LINKTYPE_ETHERNET = 1;

/** The timestamp of clock value `clock` (1 tick = 1 ns). */
export function pcapTime(clock: number): { sec: number; usec: number } {
  return { sec: Math.floor(clock / 1e9), usec: Math.floor(clock / 1e3) % 1e6 };
}

/** Writes a capture to `sink` as it goes: the global header at once, then one record per frame. */
export class PcapWriter {
  /** Frames recorded, and bytes handed to the sink (headers included). */
  records = 0;
  bytes = 0;

  constructor(private readonly sink: (bytes: Uint8Array) => void) {
    const h = new DataView(new ArrayBuffer(PCAP_GLOBAL_HEADER_LENGTH));
    h.setUint32(0, PCAP_MAGIC, true);
    h.setUint16(4, 2, true);
    h.setUint16(6, 4, true);
    // thiszone (8) and sigfigs (12) stay 0.
    h.setUint32(16, PCAP_SNAPLEN, true);
    h.setUint32(20, LINKTYPE_ETHERNET, true);
    this.emit(new Uint8Array(h.buffer));
  }

  /** One frame seen at machine clock `clock` (a non-negative integer; the bytes are copied). */
  record(clock: number, frame: Uint8Array): void {
    if (!Number.isSafeInteger(clock) || clock < 0) throw new NetError(`pcap: clock ${clock} is not a non-negative integer`);
    const captured = Math.min(frame.length, PCAP_SNAPLEN);
    const out = new Uint8Array(PCAP_RECORD_HEADER_LENGTH + captured);
    const h = new DataView(out.buffer);
    const { sec, usec } = pcapTime(clock);
    h.setUint32(0, sec, true);
    h.setUint32(4, usec, true);
    h.setUint32(8, captured, true);
    h.setUint32(12, frame.length, true);
    out.set(frame.subarray(0, captured), PCAP_RECORD_HEADER_LENGTH);
    this.records++;
    this.emit(out);
  }

  private emit(bytes: Uint8Array): void {
    this.bytes += bytes.length;
    this.sink(bytes);
  }
}

export interface PcapRecord {
  sec: number;
  usec: number;
  /** The frame's length on the wire (data may be shorter when cut at the snaplen). */
  originalLength: number;
  data: Uint8Array;
}

export interface PcapCapture {
  littleEndian: boolean;
  version: { major: number; minor: number };
  snaplen: number;
  linktype: number;
  records: PcapRecord[];
}

/** Read a classic pcap capture (either byte order, microsecond stamps); a NetError naming the byte offset when malformed. */
export function readPcap(bytes: Uint8Array): PcapCapture {
  if (bytes.length < PCAP_GLOBAL_HEADER_LENGTH) throw new NetError(`pcap: ${bytes.length} bytes, shorter than the ${PCAP_GLOBAL_HEADER_LENGTH}-byte header`);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le: boolean;
  if (v.getUint32(0, true) === PCAP_MAGIC) le = true;
  else if (v.getUint32(0, false) === PCAP_MAGIC) le = false;
  else throw new NetError(`pcap: bad magic 0x${v.getUint32(0, false).toString(16).padStart(8, '0')} at offset 0 (not a microsecond pcap capture)`);
  const capture: PcapCapture = {
    littleEndian: le,
    version: { major: v.getUint16(4, le), minor: v.getUint16(6, le) },
    snaplen: v.getUint32(16, le),
    linktype: v.getUint32(20, le),
    records: [],
  };
  let at = PCAP_GLOBAL_HEADER_LENGTH;
  while (at < bytes.length) {
    if (bytes.length - at < PCAP_RECORD_HEADER_LENGTH) throw new NetError(`pcap: record header cut short at offset ${at}`);
    const captured = v.getUint32(at + 8, le);
    const data = at + PCAP_RECORD_HEADER_LENGTH;
    if (captured > bytes.length - data) throw new NetError(`pcap: record at offset ${at} claims ${captured} bytes, ${bytes.length - data} left`);
    const usec = v.getUint32(at + 4, le);
    if (usec >= 1e6) throw new NetError(`pcap: record at offset ${at} has ${usec} microseconds`);
    capture.records.push({
      sec: v.getUint32(at, le), usec, originalLength: v.getUint32(at + 12, le),
      data: bytes.slice(data, data + captured),
    });
    at = data + captured;
  }
  return capture;
}
