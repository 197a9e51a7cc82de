// The pcap writer and reader: header bytes, timestamps from the clock, records
// read back equal, malformed captures refused with one line, and the file
// helper (buffering, write errors kept for close()).

import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { buildFrame } from '../../src/net/frame.js';
import { PcapFile } from '../../src/net/pcap-file.js';
import { pcapTime, PcapWriter, readPcap } from '../../src/net/pcap.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function capture(): { writer: PcapWriter; bytes: () => Uint8Array } {
  const parts: Uint8Array[] = [];
  const writer = new PcapWriter((b) => parts.push(b.slice()));
  return { writer, bytes: () => Buffer.concat(parts) };
}

const frame = (n: number, vlan?: number) =>
  buildFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', vlan, ethertype: 0x88b5, payload: Uint8Array.from({ length: n }, (_, i) => i * 7) });

describe('pcap writer', () => {
  test('the global header is classic libpcap, little-endian: magic, 2.4, snaplen 65535, Ethernet', () => {
    const { bytes } = capture();
    expect([...bytes()]).toEqual([
      0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0,
    ]);
  });
  test('timestamps: one clock tick is one nanosecond, truncated to microseconds', () => {
    expect(pcapTime(0)).toEqual({ sec: 0, usec: 0 });
    expect(pcapTime(999)).toEqual({ sec: 0, usec: 0 });
    expect(pcapTime(1_000)).toEqual({ sec: 0, usec: 1 });
    expect(pcapTime(3_123_456_789)).toEqual({ sec: 3, usec: 123_456 });
  });
  test('records read back equal: stamps, lengths and bytes', () => {
    const { writer, bytes } = capture();
    const frames = [frame(46), frame(0, 12), frame(1500), new Uint8Array(5)];
    const clocks = [0, 1_000_002_999, 2_500_000_000, 7];
    frames.forEach((f, i) => writer.record(clocks[i]!, f));
    expect(writer.records).toBe(4);
    expect(writer.bytes).toBe(bytes().length);
    const back = readPcap(bytes());
    expect(back).toMatchObject({ littleEndian: true, version: { major: 2, minor: 4 }, snaplen: 65535, linktype: 1 });
    expect(back.records.map((r) => [r.sec, r.usec, r.originalLength, [...r.data]])).toEqual(
      frames.map((f, i) => [pcapTime(clocks[i]!).sec, pcapTime(clocks[i]!).usec, f.length, [...f]]));
  });
  test('the writer copies the frame: changing it afterwards does not change the capture', () => {
    const { writer, bytes } = capture();
    const f = frame(10);
    writer.record(1, f);
    f.fill(0);
    expect(readPcap(bytes()).records[0]!.data[0]).toBe(0xff);
  });
  test('a clock that is not a non-negative integer is refused', () => {
    const { writer } = capture();
    expect(() => writer.record(-1, frame(1))).toThrow('pcap: clock -1 is not a non-negative integer');
    expect(() => writer.record(1.5, frame(1))).toThrow('pcap: clock 1.5');
  });
});

describe('pcap reader', () => {
  test('reads a big-endian capture too', () => {
    const be = new DataView(new ArrayBuffer(24 + 16 + 3));
    be.setUint32(0, 0xa1b2c3d4); be.setUint16(4, 2); be.setUint16(6, 4); be.setUint32(16, 65535); be.setUint32(20, 1);
    be.setUint32(24, 5); be.setUint32(28, 6); be.setUint32(32, 3); be.setUint32(36, 3);
    const back = readPcap(new Uint8Array(be.buffer));
    expect(back.littleEndian).toBe(false);
    expect(back.records).toEqual([{ sec: 5, usec: 6, originalLength: 3, data: new Uint8Array(3) }]);
  });
  test('malformed captures are one-line errors with the offset', () => {
    const { writer, bytes } = capture();
    writer.record(0, frame(4));
    const good = bytes();
    expect(() => readPcap(good.subarray(0, 10))).toThrow('pcap: 10 bytes, shorter than the 24-byte header');
    expect(() => readPcap(new Uint8Array(24))).toThrow('pcap: bad magic 0x00000000 at offset 0');
    expect(() => readPcap(good.subarray(0, 30))).toThrow('pcap: record header cut short at offset 24');
    expect(() => readPcap(good.subarray(0, good.length - 1))).toThrow('pcap: record at offset 24 claims 18 bytes, 17 left');
  });
});

describe('pcap file', () => {
  test('frames are buffered and written at flush; close writes the rest', () => {
    const path = join(dir, 'a.pcap');
    const file = new PcapFile(openSync(path, 'w'), 'a.pcap');
    file.writer.record(5_000, frame(46));
    expect(readFileSync(path).length).toBe(0); // still buffered
    file.flush();
    expect(readPcap(readFileSync(path)).records).toHaveLength(1);
    for (let i = 0; i < 2000; i++) file.writer.record(i, frame(100)); // passes the buffer limit on its own
    expect(readFileSync(path).length).toBeGreaterThan(64 * 1024);
    file.close();
    file.close(); // once is enough
    expect(readPcap(readFileSync(path)).records).toHaveLength(2001);
  });
  test('a write error does not stop the run: it is thrown, one line, by close', () => {
    const file = new PcapFile(openSync('/dev/full', 'w'), 'out.pcap');
    for (let i = 0; i < 1000; i++) file.writer.record(i, frame(1000)); // over the limit: a write fails inside record
    expect(() => file.close()).toThrow("cannot write 'out.pcap': no space left on the device");
  });
  test('a descriptor closed under it is reported by flush', () => {
    const fd = openSync(join(dir, 'b.pcap'), 'w');
    const file = new PcapFile(fd, 'b.pcap');
    closeSync(fd);
    expect(() => file.flush()).toThrow("cannot write 'b.pcap': not open");
  });
});
