// Frames and MACs: parse and build round trips, 802.1Q tags, the length rules,
// MAC text errors, and describeFrame on frames and on bytes that are not one.

import { describe, expect, test } from 'vitest';
import {
  addTag, buildFrame, describeFrame, frameError, parseFrame, removeTag, tagControl, tciOf,
} from '../../src/net/frame.js';
import { formatMac, isBroadcast, isLocallyAdministered, isMulticast, macFromKey, macKey, parseMac } from '../../src/net/mac.js';
import { NetError } from '../../src/net/errors.js';

const A = '02:00:00:00:00:01';
const B = '02:00:00:00:00:02';

describe('MAC addresses', () => {
  test('parse and format round trip, in lower case', () => {
    expect([...parseMac('02:1A:b3:00:ff:09')]).toEqual([0x02, 0x1a, 0xb3, 0x00, 0xff, 0x09]);
    expect(formatMac(parseMac('02:1A:b3:00:ff:09'))).toBe('02:1a:b3:00:ff:09');
  });
  test.each(['', '02:00:00:00:00', '02:00:00:00:00:01:02', '2:00:00:00:00:01', '02-00-00-00-00-01', '02:00:00:00:00:0g', ' 02:00:00:00:00:01', '0200.0000.0001'])(
    'rejects %j with one line naming the text', (text) => {
      let message = '';
      try { parseMac(text); } catch (e) { expect(e).toBeInstanceOf(NetError); message = (e as Error).message; }
      expect(message).toContain(`invalid MAC address '${text}'`);
      expect(message).not.toContain('\n');
    });
  test('a very long bad MAC is cut in the message', () => {
    expect(() => parseMac('x'.repeat(10_000))).toThrow(/^invalid MAC address 'x{40}\.\.\.'/);
  });
  test('broadcast, multicast and locally administered bits', () => {
    const bc = parseMac('ff:ff:ff:ff:ff:ff');
    expect([isBroadcast(bc), isMulticast(bc)]).toEqual([true, true]);
    expect([isBroadcast(parseMac('01:00:5e:00:00:01')), isMulticast(parseMac('01:00:5e:00:00:01'))]).toEqual([false, true]);
    expect([isMulticast(parseMac(A)), isLocallyAdministered(parseMac(A)), isLocallyAdministered(parseMac('00:1b:21:00:00:01'))]).toEqual([false, true, false]);
  });
  test('keys are exact 48-bit numbers and come back as the same bytes', () => {
    for (const m of ['ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00', '80:00:00:00:00:01', '02:00:00:80:00:fe']) {
      const key = macKey(parseMac(m));
      expect(formatMac(macFromKey(key))).toBe(m);
    }
    expect(macKey(parseMac('ff:ff:ff:ff:ff:ff'))).toBe(2 ** 48 - 1);
    expect(macKey(parseMac('00:00:80:00:00:00'))).toBe(2 ** 31);
  });
});

describe('frames', () => {
  test('an untagged frame is header then payload, and parses back', () => {
    const payload = Uint8Array.from({ length: 46 }, (_, i) => i);
    const bytes = buildFrame({ dst: B, src: A, ethertype: 0x0800, payload });
    expect(bytes.length).toBe(60);
    expect([...bytes.subarray(0, 14)]).toEqual([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00]);
    const f = parseFrame(bytes);
    expect(f).toMatchObject({ dst: B, src: A, ethertype: 0x0800 });
    expect(f.vlan).toBeUndefined();
    expect([...f.payload]).toEqual([...payload]);
  });
  test('an 802.1Q tag sits after the MACs: TPID 0x8100, priority, DEI, VLAN ID', () => {
    const bytes = buildFrame({ dst: B, src: A, vlan: { vid: 0x123, priority: 5, dei: true }, ethertype: 0x88b5, payload: new Uint8Array([9]) });
    expect([...bytes.subarray(12, 18)]).toEqual([0x81, 0x00, 0xb1, 0x23, 0x88, 0xb5]);
    expect(parseFrame(bytes)).toMatchObject({ vlan: { vid: 0x123, priority: 5, dei: true }, ethertype: 0x88b5 });
    expect([...parseFrame(bytes).payload]).toEqual([9]);
    expect(parseFrame(buildFrame({ dst: B, src: A, vlan: 7, ethertype: 0x800 })).vlan).toEqual({ vid: 7, priority: 0, dei: false });
  });
  test('adding and removing a tag are inverse and keep MACs, ethertype and payload', () => {
    const plain = buildFrame({ dst: B, src: A, ethertype: 0x0806, payload: new Uint8Array([1, 2, 3]) });
    const tagged = addTag(plain, tciOf({ vid: 42, priority: 3, dei: false }));
    expect(parseFrame(tagged)).toMatchObject({ dst: B, src: A, vlan: { vid: 42, priority: 3 }, ethertype: 0x0806 });
    expect(tagControl(tagged)).toBe((3 << 13) | 42);
    expect([...removeTag(tagged)]).toEqual([...plain]);
    expect(tagControl(plain)).toBeUndefined();
  });
  test('length rules: 14-byte header (18 tagged), payload 0..1500, no 60-byte minimum', () => {
    const frame = (n: number, vlan?: number) => buildFrame({ dst: B, src: A, vlan, ethertype: 0x88b5, payload: new Uint8Array(n) });
    expect(frameError(frame(0))).toBeUndefined();
    expect(frameError(frame(1500))).toBeUndefined();
    expect(frameError(frame(1500, 5))).toBeUndefined();
    expect(frameError(frame(1500).subarray(0, 13))).toBe('too-short');
    expect(frameError(frame(0, 5).subarray(0, 17))).toBe('too-short');
    expect(frameError(new Uint8Array(1515))).toBe('too-long');
    const tagged = frame(1500, 5);
    const long = new Uint8Array(tagged.length + 1);
    long.set(tagged);
    expect(frameError(long)).toBe('too-long');
    expect(() => parseFrame(new Uint8Array(10))).toThrow('frame too short: 10 bytes, the header needs 14');
    expect(() => parseFrame(frame(0, 5).subarray(0, 16))).toThrow('frame too short: 16 bytes, the header needs 18');
    expect(() => parseFrame(new Uint8Array(1600))).toThrow('frame too long: 1586 bytes of payload, at most 1500');
  });
  test('build rejects what is not a frame, one line each', () => {
    expect(() => buildFrame({ dst: B, src: A, ethertype: 0x800, payload: new Uint8Array(1501) })).toThrow('payload of 1501 bytes, at most 1500');
    expect(() => buildFrame({ dst: B, src: A, ethertype: 0x10000 })).toThrow('ethertype 65536 out of range 0..65535');
    expect(() => buildFrame({ dst: B, src: A, ethertype: 0x8100 })).toThrow(/0x8100 is the VLAN tag/);
    expect(() => buildFrame({ dst: B, src: A, vlan: 4096, ethertype: 0x800 })).toThrow('VLAN ID 4096 out of range 0..4095');
    expect(() => buildFrame({ dst: B, src: A, vlan: { vid: 1, priority: 8, dei: false }, ethertype: 0x800 })).toThrow('VLAN priority 8 out of range 0..7');
    expect(() => buildFrame({ dst: new Uint8Array(5), src: A, ethertype: 0x800 })).toThrow('destination MAC has 5 bytes, not 6');
    expect(() => buildFrame({ dst: B, src: 'nope', ethertype: 0x800 })).toThrow("invalid MAC address 'nope'");
  });
  test('describeFrame gives the FrameEvent fields, also of bytes too short to be a frame', () => {
    const tagged = buildFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: A, vlan: 10, ethertype: 0x0800, payload: new Uint8Array(50) });
    expect(describeFrame(tagged)).toEqual({ dst: 'ff:ff:ff:ff:ff:ff', src: A, vlan: 10, ethertype: 0x0800, length: 68 });
    expect(describeFrame(tagged.subarray(0, 16))).toEqual({ dst: 'ff:ff:ff:ff:ff:ff', src: A, ethertype: 0x8100, length: 16 });
    expect(describeFrame(tagged.subarray(0, 8))).toEqual({ dst: 'ff:ff:ff:ff:ff:ff', src: '', ethertype: 0, length: 8 });
    expect(describeFrame(new Uint8Array(0))).toEqual({ dst: '', src: '', ethertype: 0, length: 0 });
  });
});
