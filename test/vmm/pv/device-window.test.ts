// mmu_update and the VM's own device memory (docs/hypercalls.md, "Page tables"):
// a PV kernel may map frames of its virtual PCI window, which the monitor
// emulates on every access (tinyos -D NET maps its NIC's BAR this way); every
// other frame outside guest RAM is still refused.

import { describe, expect, test } from 'vitest';
import type { VmOptions } from '../../../src/vmm/index.js';
import { err, pv } from './helpers.js';

const E1000: Partial<VmOptions> = { net: { nic: { kind: 'emulated' } } };

/**
 * Identity-map the code and data pages, map 0x400000 onto `frame` with one
 * mmu_update, turn paging on and load the word at 0x400008 (the e1000's
 * STATUS when `frame` is its BAR0); halt with the loaded word, or with the
 * update's error.
 */
const mapAndLoad = (frame: string) => `
        la      a0, map
        li      a1, (map_end - map) / 8
        hcall   HC_MMU_UPDATE
        blt     a0, zero, 1f
        la      a0, kdir
        hcall   HC_SET_PTBR
        li      a0, 1
        hcall   HC_SET_PAGING
        li      t0, 0x400000
        lw      a0, 8(t0)
1:      hcall   HC_HALT
        .data
map:    .word   kdir, ktab + 3
        .word   ktab + 4, 0x1000 + 3
        .word   ktab + 8, 0x2000 + 3
        .word   ktab + 12, 0x3000 + 3
        .word   ktab + 16, 0x4000 + 3
        .word   ktab + 20, 0x5000 + 3
        .word   kdir + 4, ktab2 + 3
        .word   ktab2, ${frame} + 3
map_end:
        .bss
        .align  4096
kdir:   .space  4096
ktab:   .space  4096
ktab2:  .space  4096
`;

describe('mmu_update: the VM\'s own device window', () => {
  test('a frame of the virtual PCI window is mapped; accesses through it reach the device, emulated', () => {
    const r = pv(mapAndLoad('0xe0000000'), E1000);
    expect(r.stop).toBe('halted');
    expect(r.code! & 2).toBe(2); // STATUS.LU: the e1000's register, not memory
    const c = r.vm.monitor!.counters;
    expect(c.mmuUpdateEntries).toBe(8);
    expect(c.mmioEmulated).toBe(1);
  });

  test('the same frame without a NIC (no device window) is refused: EPERM, nothing written', () => {
    const r = pv(mapAndLoad('0xe0000000'));
    expect(r.code).toBe(err('EPERM'));
    expect(r.vm.monitor!.counters.mmuUpdateEntries).toBe(0);
  });

  test('with a NIC, frames outside its window are still refused: past the window (the other devices: timer, console), monitor memory, the guard', () => {
    for (const frame of ['0xf0000000', '0xf0001000', '0x01000000', '0xfff00000', '0xdffff000']) {
      const r = pv(mapAndLoad(frame), E1000);
      expect(r.code, frame).toBe(err('EPERM'));
      expect(r.vm.monitor!.counters.mmuUpdateEntries).toBe(0);
    }
  });
});
