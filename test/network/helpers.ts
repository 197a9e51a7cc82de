// Building the network test programs of guests/net and running them with a NIC.

import { join } from 'node:path';
import { assembleFile } from '../../src/asm/index.js';
import type { Image } from '../../src/elf/image.js';
import type { NicKind } from '../../src/network/nic.js';
import type { NetOptions } from '../../src/network/options.js';
import { createVm, type ModeName, type Vm } from '../../src/vmm/index.js';
import { GUESTS } from '../vmm/helpers.js';

export const MODES: readonly ModeName[] = ['native', 'trap', 'bt', 'pv', 'hw'];
export const NICS: readonly NicKind[] = ['emulated', 'virtio'];

const cache = new Map<string, Image>();

/** guests/net/NAME.s assembled with `defines` (PV added for mode pv), cached. */
export function netProgram(name: string, defines: Record<string, number> = {}, mode: ModeName = 'native'): Image {
  const all = { ...defines, ...(mode === 'pv' ? { PV: 1 } : {}) };
  const key = `${name} ${JSON.stringify(all)}`;
  let image = cache.get(key);
  if (!image) {
    const r = assembleFile(join(GUESTS, 'net', `${name}.s`), { defines: all });
    if (!r.image) throw new Error(`${name}.s does not assemble: ${JSON.stringify(r.diagnostics.slice(0, 2))}`);
    image = r.image;
    cache.set(key, image);
  }
  return image;
}

/** Run guests/net/NAME.s alone with a NIC of `kind`; the VM after it stopped. */
export function runNet(name: string, mode: ModeName, kind: NicKind, defines: Record<string, number> = {}, net: Partial<NetOptions> = {}): Vm {
  const vm = createVm({ image: netProgram(name, defines, mode), mode, guestMemory: 2 << 20, net: { nic: { kind }, ...net } });
  const { stop } = vm.run(20_000_000);
  if (stop.kind !== 'halted') throw new Error(`${name}.s under ${mode} with ${kind} did not halt: ${JSON.stringify(stop)}\n${vm.consoleText()}`);
  return vm;
}
