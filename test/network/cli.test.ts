// The network from the command line: --nic, --peer, --mac, --pcap and
// --devices on `run`, `nic`/`network` in a host configuration, and one-line
// errors for everything malformed.

import { spawnSync, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { readPcap } from '../../src/net/pcap.js';
import { oneErrorLine, runCli } from '../cli/run.js';
import { GUESTS } from '../vmm/helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'virtlab-net-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PINGPONG = join(GUESTS, 'net', 'pingpong.s');
const TCPDUMP = ['tcpdump', '/usr/bin/tcpdump', '/usr/sbin/tcpdump']
  .find((cmd) => spawnSync(cmd, ['--version'], { timeout: 10_000 }).error === undefined);

describe('virtlab run with a NIC', () => {
  test('--devices lists what the guest enumerates: the NIC at 00:03.0 with its BAR and line', async () => {
    const native = await runCli(['run', PINGPONG, '-D', 'COUNT=1', '--nic', 'emulated', '--devices']);
    expect(native.code).toBe(0);
    expect(native.stderr).toContain("the machine's PCI bus:\n00:03.0 Ethernet controller [0200]: 8086:100e e1000, IRQ 2\n        BAR0: memory at 0xe0000000 (128 KiB)\n");
    const hw = await runCli(['run', PINGPONG, '-D', 'COUNT=1', '--nic', 'virtio', '--mode', 'hw', '--devices']);
    expect(hw.stderr).toContain("the guest's virtual PCI bus (hw):\n00:03.0 Ethernet controller [0200]: 1af4:1041 virtio-net");
    const none = await runCli(['run', join(GUESTS, 'hello.s'), '--devices']);
    expect(none.stderr).toContain('no PCI devices');
  });

  test('--pcap writes every frame crossing the wire, which readPcap and tcpdump read back', async () => {
    const file = join(dir, 'echo.pcap');
    const r = await runCli(['run', PINGPONG, '-D', 'COUNT=3', '--nic', 'virtio', '--mode', 'pv', '-D', 'PV', '--mac', '02:00:00:00:00:2a', '--pcap', file]);
    expect(r.code).toBe(0);
    const capture = readPcap(readFileSync(file));
    expect(capture.linktype).toBe(1);
    expect(capture.records).toHaveLength(6); // three pings in, three echoes out
    if (TCPDUMP) {
      const lines = execFileSync(TCPDUMP, ['-r', file, '-nn', '-e'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n').filter((l) => l && !l.startsWith('\t'));
      expect(lines).toHaveLength(6);
      expect(lines[0]).toContain('02:00:00:00:00:2a > ff:ff:ff:ff:ff:ff, ethertype Unknown (0x88b5), length 64');
      expect(lines[1]).toContain('02:00:00:00:00:fe > 02:00:00:00:00:2a');
    }
  });

  test('--stats and --json say what each packet cost', async () => {
    const r = await runCli(['run', PINGPONG, '-D', 'COUNT=4', '--nic', 'emulated', '--mode', 'hw', '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.net).toHaveLength(1);
    expect(report.net[0]).toMatchObject({ nic: 'e1000', mac: '02:00:00:00:00:01', txFrames: 4, rxFrames: 4 });
    expect(report.net[0].perPacket.deviceExits).toBeGreaterThanOrEqual(1);
    const s = await runCli(['run', PINGPONG, '-D', 'COUNT=4', '--nic', 'emulated', '--stats']);
    expect(s.stderr).toMatch(/network: e1000 02:00:00:00:00:01: 4 frames sent, 4 received, 0 dropped, 0 device errors\nper packet: 0 device exits/);
    expect((await runCli(['run', join(GUESTS, 'hello.s'), '--json'])).stdout).toContain('"net":null');
  });

  test.each([
    [['--pcap', 'x.pcap'], '--pcap needs a network card: add --nic emulated or --nic virtio'],
    [['--nic', 'e1000'], "option '--nic <kind>' argument 'e1000' is invalid"],
    [['--nic', 'virtio', '--peer', 'bounce'], 'wire'],
    [['--nic', 'virtio', '--peer', 'gen,size=9000'], 'wire'],
    [['--nic', 'virtio', '--mac', '02:00:00:00:00'], 'MAC'],
    [['--nic', 'vf', '--mode', 'hw', '--mac', '01:00:00:00:00:01'], 'multicast'],
  ])('%j is one line and exit 2', async (args, message) => {
    const r = await runCli(['run', PINGPONG, ...args], dir);
    expect(r.code).toBe(2);
    expect(oneErrorLine(r)).toContain(message);
  });
});

describe('virtlab host with NICs', () => {
  test('guests/hosts/pingpong.json: every pair completes; tables per VM and per switch port', async () => {
    const r = await runCli(['host', join(GUESTS, 'hosts', 'pingpong.json')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hw-pong \| pong: answered 100 frames/);
    expect(r.stdout).toMatch(/vm +nic +sent +received +dropped +device exits\/pkt/);
    expect(r.stdout).toMatch(/^wire +trunk /m);
    expect(r.stdout).toMatch(/switch: \d+ forwarded, \d+ flooded, 0 dropped, 6 addresses learned/);
  });

  function config(vms: object[], extra: object = {}): string {
    const file = join(dir, `host-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ vms, ...extra }, null, 2));
    return file;
  }
  const vm = (name: string, nic?: object) => ({ name, program: PINGPONG, mode: 'hw', memory: 2, ...(nic ? { nic } : {}) });

  test.each([
    [[vm('a', { kind: 'e1000' })], {}, 'vms[0].nic.kind: expected one of emulated|virtio'],
    [[vm('a', { kind: 'virtio', mac: '02:00' })], {}, 'vms[0].nic.mac: expected a MAC address'],
    [[vm('a', { kind: 'virtio', vlan: 4095 })], {}, 'vms[0].nic.vlan: expected at most 4094'],
    [[vm('a', { kind: 'virtio', mac: '03:00:00:00:00:01' })], {}, 'vms[0].nic.mac: a multicast address'],
    [[vm('a', { kind: 'virtio', mac: '02:00:00:00:00:07' }), vm('b', { kind: 'virtio', mac: '02:00:00:00:00:07' })], {}, 'vms[1].nic.mac: 02:00:00:00:00:07 is already the MAC of vms[0]'],
    [[vm('a')], { network: { peer: 'echo' } }, 'network: no VM has a nic'],
    [[vm('a', { kind: 'virtio' })], { network: { peer: 'gen,every=0' } }, 'network.peer: wire'],
    [[vm('a', { kind: 'virtio', speed: 10 })], {}, 'vms[0].nic.speed: unknown field (nic has: kind, mac, vlan, vf, trusted)'],
    [[vm('wire', { kind: 'virtio' })], {}, 'vms[0].name: "wire" is the name of the switch\'s port to the wire'],
  ])('a bad configuration (%#) is refused at its JSON path', async (vms, extra, message) => {
    const r = await runCli(['host', config(vms, extra)]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
  });
});
