// A capture is real pcap: tcpdump reads it and prints the MACs, ethertypes,
// lengths and VLAN tags that were written. Without tcpdump the test is skipped
// with a message, except under CI (which installs it), where that is a failure.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { buildFrame } from '../../src/net/frame.js';
import { PcapWriter } from '../../src/net/pcap.js';
import { Wire } from '../../src/net/wire.js';

// On the PATH, else where Debian (/usr/bin) or older systems (/usr/sbin) put it.
const TCPDUMP = ['tcpdump', '/usr/bin/tcpdump', '/usr/sbin/tcpdump']
  .find((cmd) => spawnSync(cmd, ['--version'], { timeout: 10_000 }).error === undefined);
const missing = TCPDUMP === undefined;
const skip = missing && !process.env.CI;
if (skip) console.warn('skipping the tcpdump test: tcpdump is not installed (apt-get install tcpdump)');

const dir = mkdtempSync(join(tmpdir(), 'virtlab-tcpdump-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tcpdump(file: string): string[] {
  if (TCPDUMP === undefined) throw new Error('tcpdump is not installed: CI must install it (.ci/run)');
  // -tt: seconds since the epoch, so the output does not depend on the time zone.
  const out = execFileSync(TCPDUMP, ['-r', file, '-nn', '-e', '-tt'], { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] });
  return out.split('\n').filter((l) => l !== '');
}

test.skipIf(skip)('tcpdump reads the MACs, ethertype, length, VLAN and time of each record', () => {
  const parts: Uint8Array[] = [];
  const w = new PcapWriter((b) => parts.push(b.slice()));
  w.record(1_000_002_999, buildFrame({ dst: '02:00:00:00:00:02', src: '02:00:00:00:00:01', ethertype: 0x88b5, payload: new Uint8Array(46) }));
  w.record(2_500_000_000, buildFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:0a:0b:0c:0d:0e', vlan: { vid: 10, priority: 3, dei: false }, ethertype: 0x88b5, payload: new Uint8Array(100) }));
  const file = join(dir, 'two.pcap');
  writeFileSync(file, Buffer.concat(parts));
  const lines = tcpdump(file).filter((l) => !l.startsWith('\t'));
  expect(lines).toEqual([
    '1.000002 02:00:00:00:00:01 > 02:00:00:00:00:02, ethertype Unknown (0x88b5), length 60: ',
    '2.500000 02:0a:0b:0c:0d:0e > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 118: vlan 10, p 3, ethertype Unknown (0x88b5), ',
  ]);
});

test.skipIf(skip)("tcpdump reads the wire's own capture: a generator's frames and an echo's reflections", () => {
  const parts: Uint8Array[] = [];
  const pcap = new PcapWriter((b) => parts.push(b.slice()));
  let now = 0;
  const gen = new Wire({ mode: 'gen', every: 1_000_000, count: 3, size: 64, vlan: 7, clock: () => now, pcap });
  gen.connect({ receive: () => {} });
  for (now = 0; now <= 5_000_000; now += 500_000) if (gen.nextDeadline() <= now) gen.tick(now);
  const echo = new Wire({ mode: 'echo', clock: () => now, pcap });
  echo.connect({ receive: () => {} });
  now = 9_000_000;
  echo.receive(buildFrame({ dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:05', ethertype: 0x0800, payload: new Uint8Array(46) }));
  const file = join(dir, 'wire.pcap');
  writeFileSync(file, Buffer.concat(parts));
  expect(tcpdump(file).filter((l) => !l.startsWith('\t')).map((l) => l.replace(/, ethertype IPv4 \(0x0800\), length 60: .*/, ', IPv4 60'))).toEqual([
    '0.001000 02:00:00:00:00:fe > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 64: vlan 7, p 0, ethertype Unknown (0x88b5), ',
    '0.002000 02:00:00:00:00:fe > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 64: vlan 7, p 0, ethertype Unknown (0x88b5), ',
    '0.003000 02:00:00:00:00:fe > ff:ff:ff:ff:ff:ff, ethertype 802.1Q (0x8100), length 64: vlan 7, p 0, ethertype Unknown (0x88b5), ',
    '0.009000 02:00:00:00:00:05 > ff:ff:ff:ff:ff:ff, IPv4 60',
    '0.009000 02:00:00:00:00:fe > 02:00:00:00:00:05, IPv4 60',
  ]);
});
