// The VF<->PF mailbox: igbvf's side through the VF's BAR, the PF driver's
// side through PfMailbox (a fake PF driver) or the PF's registers. The device
// never answers a message itself; it signals, keeps ownership and counts.

import { describe, expect, test } from 'vitest';
import { MSG, P2V, PF_INT, PF_REG, V2P, VF_INT, VF_REG } from '../../../src/devices/sriov-nic/registers.js';
import { fakePfDriver, nicMachine } from './helpers.js';

function setup(n = 2) {
  const env = nicMachine();
  env.enable(n);
  const d = Array.from({ length: n }, (_, i) => env.vf(i));
  return { env, d };
}

describe('with a PF driver on onMessage', () => {
  test('VF_RESET: ACK with the MAC the PF gave the VF, and CTS', () => {
    const { env, d } = setup();
    const pf = fakePfDriver(env.nic);
    env.nic.setVfQueuesEnabled(1, false, false);
    expect(d[1]!.post([MSG.VF_RESET])).toBe(true);
    expect(pf.log).toEqual([{ vf: 1, type: MSG.VF_RESET }]);
    expect(d[1]!.take(V2P.PFACK)).toBe(true); // the PF read the message
    const reply = d[1]!.fetch(3)!;
    expect(reply[0]).toBe((MSG.VF_RESET | MSG.ACK | MSG.CTS) >>> 0);
    expect([reply[1]! & 0xff, reply[1]! >>> 24, reply[2]! & 0xffff]).toEqual([2, 0, 0x0120]); // 02:00:00:00:20:01
    expect(env.nic.vfte.has(1) && env.nic.vfre.has(1)).toBe(true);
    expect(env.nic.mailbox.takeAck(1)).toBe(true); // the VF acknowledged the reply
    expect(env.nic.vfCounters(1)).toMatchObject({ mailboxRequests: 1, mailboxAcks: 1, mailboxReplies: 1 });
    expect(env.nic.vfCounters(0).mailboxRequests).toBe(0);
    expect(env.events.filter((e) => e.kind.startsWith('mailbox'))).toEqual([{ kind: 'mailbox-request', vf: 1 }, { kind: 'mailbox-ack', vf: 1 }]);
  });

  test('SET_MAC_ADDR: NACK for an untrusted VF (its MAC unchanged), ACK for a trusted one', () => {
    const { env, d } = setup();
    fakePfDriver(env.nic);
    const want = [0x00_00_00_02, 0x0000_4444]; // 02:00:00:00:44:44
    d[0]!.post([MSG.SET_MAC_ADDR, ...want]);
    expect(d[0]!.fetch(1)![0]).toBe((MSG.SET_MAC_ADDR | MSG.NACK | MSG.CTS) >>> 0);
    expect(env.nic.vfMac(0)).toBe('02:00:00:00:20:00');
    env.nic.setVfTrust(0, true);
    d[0]!.post([MSG.SET_MAC_ADDR, ...want]);
    expect(d[0]!.fetch(1)![0]).toBe((MSG.SET_MAC_ADDR | MSG.ACK | MSG.CTS) >>> 0);
    expect(env.nic.vfMac(0)).toBe('02:00:00:00:44:44');
    expect(env.nic.vfCounters(0).mailboxRequests).toBe(2);
  });

  test('a flood of messages is counted per VF (the rate limit is the PF driver\'s)', () => {
    const { env, d } = setup();
    const pf = fakePfDriver(env.nic);
    for (let i = 0; i < 50; i++) {
      d[0]!.post([MSG.SET_LPE, 1518]);
      d[0]!.fetch(1);
    }
    d[1]!.post([MSG.VF_RESET]);
    expect(env.nic.vfCounters(0).mailboxRequests).toBe(50);
    expect(env.nic.vfCounters(1).mailboxRequests).toBe(1);
    expect(pf.log.at(-1)).toEqual({ vf: 1, type: MSG.VF_RESET });
  });
});

describe('the protocol at the registers', () => {
  test('a message waits for a polling PF driver: MBVFICR, ICR.VMMB, P2VMAILBOX and VMBMEM(n)', () => {
    const { env, d } = setup();
    env.pfWr(PF_REG.IMS, PF_INT.VMMB);
    d[1]!.post([MSG.SET_VLAN | (1 << MSG.INFO_SHIFT), 100]);
    expect(env.nic.mailbox.pending()).toEqual([1]);
    expect(env.machine.irqPending).not.toBe(0);
    expect(env.pfRd(PF_REG.ICR)).toBe(PF_INT.VMMB);
    expect(env.pfRd(PF_REG.MBVFICR_REQ)).toBe(1 << 1);
    // igb's read_mbx: lock, read, ACK (which also lets go), clear the request bit.
    const mbx = PF_REG.P2VMAILBOX + 4;
    const mem = PF_REG.VMBMEM + 0x40;
    env.pfWr(mbx, P2V.PFU);
    expect(env.pfRd(mbx)).toBe(P2V.PFU);
    expect([env.pfRd(mem), env.pfRd(mem + 4)]).toEqual([MSG.SET_VLAN | (1 << MSG.INFO_SHIFT), 100]);
    env.pfWr(mbx, P2V.ACK);
    env.pfWr(PF_REG.MBVFICR_REQ, 1 << 1);
    expect(env.nic.mailbox.pending()).toEqual([]);
    expect(d[1]!.take(V2P.PFACK)).toBe(true);
    // write_mbx: lock, words, STS.
    env.pfWr(mbx, P2V.PFU);
    env.pfWr(mem, (MSG.SET_VLAN | MSG.NACK | MSG.CTS) >>> 0);
    env.pfWr(mbx, P2V.STS);
    expect(env.pfRd(mbx)).toBe(0);
    expect(d[1]!.fetch(1)).toEqual([(MSG.SET_VLAN | MSG.NACK | MSG.CTS) >>> 0]);
  });

  test('ownership: memory writes without the buffer are ignored; a side cannot take the buffer the other holds', () => {
    const { env, d } = setup();
    const v = d[0]!;
    v.wr(VF_REG.VMBMEM, 0x1234); // no VFU
    expect(v.rd(VF_REG.VMBMEM)).toBe(0);
    v.wr(VF_REG.V2PMAILBOX, V2P.VFU);
    expect(env.pfRd(PF_REG.P2VMAILBOX)).toBe(P2V.VFU);
    env.pfWr(PF_REG.P2VMAILBOX, P2V.PFU); // refused
    expect(env.pfRd(PF_REG.P2VMAILBOX)).toBe(P2V.VFU);
    env.pfWr(PF_REG.VMBMEM, 0x5555);
    expect(env.nic.mailbox.reply(0, [1])).toBe(false);
    expect(env.nic.vfCounters(0).mailboxBusy).toBe(2);
    v.wr(VF_REG.VMBMEM, 0x1234);
    expect(env.pfRd(PF_REG.VMBMEM)).toBe(0x1234);
    env.pfWr(PF_REG.P2VMAILBOX, P2V.RVFU); // the PF takes it back from a VF that sits on it
    expect(env.pfRd(PF_REG.P2VMAILBOX)).toBe(0);
    expect(env.nic.mailbox.reply(0, [7, 8])).toBe(true);
    v.wr(VF_REG.V2PMAILBOX, V2P.VFU);
    expect(v.rd(VF_REG.V2PMAILBOX) & (V2P.VFU | V2P.PFSTS)).toBe(V2P.VFU | V2P.PFSTS);
    expect(v.rd(VF_REG.V2PMAILBOX) & V2P.PFSTS).toBe(0); // read to clear
    expect(() => env.nic.mailbox.reply(0, new Array(17).fill(0))).toThrow(/at most 16 words/);
  });

  test('a PF message raises the VF\'s mailbox cause; the PF\'s reset shows RSTI until PFRSTD, then RSTD', () => {
    const { env, d } = setup();
    const v = d[0]!;
    env.nic.mailbox.reply(0, [0x100]);
    expect(v.rd(VF_REG.EICR) & VF_INT.MAILBOX).toBe(VF_INT.MAILBOX);
    env.pfWr(PF_REG.CTRL, 1 << 26);
    expect(v.mailboxBits() & V2P.RSTI).toBe(V2P.RSTI);
    expect(env.nic.vfMac(0)).toBeUndefined(); // the PF's settings went back to reset
    env.pfWr(PF_REG.CTRL_EXT, 1 << 14);
    const bits = v.rd(VF_REG.V2PMAILBOX);
    expect(bits & (V2P.RSTI | V2P.RSTD)).toBe(V2P.RSTD);
    expect(v.rd(VF_REG.EICR) & VF_INT.MAILBOX).toBe(VF_INT.MAILBOX);
  });
});
