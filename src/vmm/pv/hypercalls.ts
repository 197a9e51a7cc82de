// What each hypercall does (the ABI is in abi.ts and docs/hypercalls.md). A
// handler checks every argument before it changes anything: a call that
// returns an error has changed nothing. Handlers do not retire the hcall or
// move the pc; the pv mode does that with the outcome (see modes/pv.ts).

import { CONSOLE_PORT_BASE, CONSOLE_REGS, CONSOLE_STATUS_INPUT } from '../../devices/console.js';
import { PCI_WINDOW_BASE } from '../../devices/pci/bus.js';
import { PCI_CONFIG_ADDRESS, PCI_CONFIG_DATA } from '../../devices/pci/ports.js';
import { TIMER_PORT_BASE, TIMER_PORTS } from '../../devices/timer.js';
import { PTE, STATUS } from '../../isa/index.js';
import type { Monitor } from '../monitor.js';
import { CONSOLE_IO_MAX, ERRNO, HYPERCALLS, MMU_UPDATE_MAX, PV_ABI_VERSION, type ErrName } from './abi.js';
import { GuestBuffer } from './guest-buffer.js';
import type { SharedPage } from './shared-page.js';

export interface HypercallOutcome {
  /** The result, written to a0; undefined leaves a0 alone. */
  a0?: number;
  /** Where the guest continues; default: the instruction after the hcall. */
  pc?: number;
  /** The handler retired the hcall itself (block retires before it idles, as wfi does). */
  retired?: boolean;
}

/**
 * How the calling mode delivers events: pv through the registered callback,
 * masked by the shared page's mask word; hw (PVHVM) as virtual interrupts
 * through the guest's own trap vector, masked by its own interrupt flag.
 */
export interface EventControl {
  /** An hw guest: no callback (events come through its trap vector), no mask word, the hvm calls only. */
  readonly hvm: boolean;
  /** block: unmask events (pv: vIE and the mask word; hw: the guest's IE in the VMCS). */
  unmask(): void;
  /** block, after the hcall retired: wait until an event is pending. */
  wait(pc: number): void;
}

export interface HypercallContext {
  monitor: Monitor;
  shared: SharedPage;
  events: EventControl;
  /** Guest pc of the hcall. */
  pc: number;
  /** a0..a3 as the guest left them. */
  args: readonly [number, number, number, number];
}

type Handler = (ctx: HypercallContext) => HypercallOutcome;

const ok = (value = 0): HypercallOutcome => ({ a0: value });
const fail = (e: ErrName): HypercallOutcome => ({ a0: -ERRNO[e] });
const PAGE_MASK = 0xfff;

function consoleWrite(m: Monitor, bytes: Uint8Array): void {
  for (const b of bytes) m.platform.portWrite(CONSOLE_PORT_BASE + CONSOLE_REGS.data, b);
}

function consoleRead(m: Monitor, max: number): Uint8Array {
  const got: number[] = [];
  while (got.length < max && (m.platform.portRead(CONSOLE_PORT_BASE + CONSOLE_REGS.status) & CONSOLE_STATUS_INPUT) !== 0) {
    got.push(m.platform.portRead(CONSOLE_PORT_BASE + CONSOLE_REGS.data) & 0xff);
  }
  return Uint8Array.from(got);
}

/**
 * Whether the 4 KiB frame at guest-physical `frame` is in this VM's own
 * virtual PCI window (its platform has a PCI bus there). The shadow never maps
 * such a frame: every access to it is emulated ('mmio'), so mapping it gives
 * the guest no memory, only its own devices' registers.
 */
function ownPciFrame(m: Monitor, frame: number): boolean {
  const r = m.platform.bus.mmioAt(frame);
  return r !== undefined && r.base === PCI_WINDOW_BASE && frame + 4096 <= r.base + r.length;
}

/**
 * The (entry, value) pairs of an mmu_update list, each checked: the entry a
 * 4-aligned word of guest RAM (the guest's tables are in guest-physical
 * terms), the value mapping nothing, a frame of guest RAM or a frame of the
 * VM's own PCI window. Anything else, monitor memory, another VM's memory,
 * its other device addresses, is not the guest's to map.
 */
function checkedUpdates(m: Monitor, bytes: Uint8Array): [number, number][] | ErrName {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const pairs: [number, number][] = [];
  for (let i = 0; i < bytes.length; i += 8) {
    const entry = view.getUint32(i, true), value = view.getUint32(i + 4, true);
    if ((entry & 3) !== 0) return 'EINVAL';
    if (!m.guest.contains(entry, 4)) return 'EFAULT';
    const frame = (value & PTE.FRAME_MASK) >>> 0;
    if ((value & PTE.P) !== 0 && !m.guest.contains(frame, 4096) && !ownPciFrame(m, frame)) return 'EPERM';
    pairs.push([entry, value]);
  }
  return pairs;
}

export const HANDLERS: Readonly<Record<string, Handler>> = {
  version: () => ok(PV_ABI_VERSION),

  set_trap_table: ({ monitor: m, args: [handler] }) => {
    if ((handler & 3) !== 0) return fail('EINVAL');
    m.vcpu.tvec = handler | 0;
    return ok();
  },

  register_vcpu_info: ({ monitor: m, shared, events, args: [page, callback] }) => {
    if ((page & PAGE_MASK) !== 0 || (callback & 3) !== 0) return fail('EINVAL');
    // An hw guest's events come through its own trap vector (Xen's HVM callback vector): no callback to name.
    if (events.hvm && callback !== 0) return fail('EINVAL');
    if (!m.guest.contains(page >>> 0, 4096)) return fail('EFAULT');
    shared.gpa = page >>> 0;
    shared.callback = callback | 0;
    // The page takes over the guest's interrupt flag as it stands (off at boot); an hw guest keeps its own.
    if (!events.hvm) shared.write('mask', m.vcpu.ie ? 0 : 1);
    shared.publishPending();
    return ok();
  },

  iret: ({ monitor: m, shared }) => {
    if (shared.gpa === undefined) return fail('EINVAL');
    const v = m.vcpu;
    const status = shared.read('status');
    v.ppl = (status & STATUS.PPL_MASK) >>> STATUS.PPL_SHIFT;
    v.pie = (status & STATUS.PIE) !== 0;
    m.setUserFlags(status);
    v.epc = shared.read('epc');
    const pc = v.rett();
    m.applyRing();
    shared.write('mask', v.ie ? 0 : 1);
    return { pc };
  },

  // Nothing to do here: after every hypercall the monitor delivers what is pending if events are unmasked.
  event_check: () => ({}),

  set_ptbr: ({ monitor: m, args: [dir] }) => {
    if ((dir & PAGE_MASK) !== 0) return fail('EINVAL');
    if (!m.guest.contains(dir >>> 0, 4096)) return fail('EFAULT');
    m.vcpu.ptbr = dir | 0;
    m.shadow.switchAddressSpace(); // as a PTBR write: a new address space, the TLB flushed
    return ok();
  },

  set_paging: ({ monitor: m, args: [on] }) => {
    if (on !== 0 && on !== 1) return fail('EINVAL');
    if (m.vcpu.pg !== (on === 1)) {
      m.vcpu.pg = on === 1;
      m.shadow.switchAddressSpace();
    }
    return ok();
  },

  mmu_update: ({ monitor: m, pc, args: [list, count] }) => {
    const n = count >>> 0;
    if (n > MMU_UPDATE_MAX) return fail('EINVAL');
    const buf = GuestBuffer.find(m, list, n * 8, false);
    if (!buf) return fail('EFAULT');
    const pairs = checkedUpdates(m, buf.read());
    if (typeof pairs === 'string') return fail(pairs);
    buf.markAccessed();
    // As the guest's own stores would: shadows built from these entries are
    // kept coherent, and the current one's stale until the guest flushes its TLB.
    for (const [entry, value] of pairs) m.shadow.guestStore(entry, 4, value, pc);
    m.counters.mmuUpdateEntries += n;
    return ok(n);
  },

  tlb_flush_page: ({ monitor: m, args: [va] }) => {
    m.shadow.invalidatePage(va);
    return ok();
  },

  tlb_flush_all: ({ monitor: m }) => {
    m.shadow.flushAll();
    return ok();
  },

  console_write: ({ monitor: m, args: [buffer, length] }) => {
    const n = length >>> 0;
    if (n > CONSOLE_IO_MAX) return fail('EINVAL');
    const buf = GuestBuffer.find(m, buffer, n, false);
    if (!buf) return fail('EFAULT');
    const bytes = buf.read();
    buf.markAccessed();
    consoleWrite(m, bytes);
    return ok(n);
  },

  console_read: ({ monitor: m, pc, args: [buffer, length] }) => {
    const n = length >>> 0;
    if (n > CONSOLE_IO_MAX) return fail('EINVAL');
    const buf = GuestBuffer.find(m, buffer, n, true);
    if (!buf) return fail('EFAULT');
    const bytes = consoleRead(m, n);
    buf.store(bytes, pc);
    return ok(bytes.length);
  },

  // The timer's ports, as `out`/`in` would reach them: a device access sees the clock before the hcall retires.
  timer_set: ({ monitor: m, args: [period] }) => {
    m.platform.portWrite(TIMER_PORT_BASE + TIMER_PORTS.period, period);
    m.armRealTimer();
    return ok();
  },

  timer_ack: ({ monitor: m }) => {
    m.platform.portWrite(TIMER_PORT_BASE + TIMER_PORTS.ack, 1);
    m.armRealTimer();
    return ok();
  },

  timer_read: ({ monitor: m }) => ok(m.platform.portRead(TIMER_PORT_BASE + TIMER_PORTS.clock)),

  // One virtual CPU and no other guest: nothing else to run, so yield returns at once.
  yield: () => ok(),

  // Xen's SCHEDOP_block: unmask events and sleep until one is pending. The
  // hcall retires first, then the guest idles (as wfi) to the next deadline.
  block: ({ monitor: m, events, pc }) => {
    events.unmask();
    m.machine.retire();
    events.wait(pc);
    return { a0: 0, retired: true };
  },

  // Configuration mechanism #1 without its two trapping port accesses.
  pci_config_read: ({ monitor: m, args: [address] }) => {
    m.platform.portWrite(PCI_CONFIG_ADDRESS, address);
    return ok(m.platform.portRead(PCI_CONFIG_DATA));
  },

  pci_config_write: ({ monitor: m, args: [address, value] }) => {
    m.platform.portWrite(PCI_CONFIG_ADDRESS, address);
    m.platform.portWrite(PCI_CONFIG_DATA, value);
    return ok();
  },

  net_notify: ({ monitor: m, args: [fn, queue] }) => (m.platform.notifyPci(fn >>> 0, queue >>> 0) ? ok() : fail('EINVAL')),

  halt: ({ monitor: m, pc, args: [code] }) => {
    m.machine.halt(code, pc);
    return {};
  },
};

for (const h of HYPERCALLS) if (!HANDLERS[h.name]) throw new Error(`pv: hypercall ${h.name} has no handler`);
