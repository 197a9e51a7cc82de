// MSI-X (docs/nics.md "MSI-X"): the capability in configuration space and the
// vector table and pending-bit array in one of the function's BARs. virtlab
// has no APIC, so a message is valid only at address 0xFEE00000 and its data
// names the interrupt line (0..15). The function maps an Msix into its BAR
// (offsets are BAR offsets: `covers` says which ones are its); the bus resolves
// a vector to a line through the Msix itself (ConfigSpace.msixRouter) or, for a
// function with another MSI-X implementation, with msixRoute() through its
// configuration space and BAR (needing nothing but the PciFunction contract).

import type { AccessSize, BusDevice } from '../../machine/device.js';
import { CAP, type ConfigSpace, type MsixRouter } from './config-space.js';
import type { PciConfig, PciFunctionContext } from './function.js';

export const MSIX_ADDRESS = 0xfee0_0000;
export const MSIX_ENTRY_SIZE = 16;
export const MSIX_CONTROL = { FUNCTION_MASK: 1 << 14, ENABLE: 1 << 15, TABLE_SIZE_MASK: 0x7ff } as const;
export const MSIX_VECTOR_MASKED = 1;
const LINES = 16;

export interface MsixOptions {
  vectors: number;
  /** The BAR holding the table and the PBA. */
  bar: number;
  tableOffset: number;
  pbaOffset: number;
}

export interface MsixState {
  table: number[];
  levels: number[];
}

export class Msix implements BusDevice, MsixRouter {
  /** The capability's offset in configuration space. */
  readonly capability: number;
  readonly vectors: number;
  readonly bar: number;
  readonly tableOffset: number;
  readonly pbaOffset: number;
  /** Four dwords per vector: address low, address high, data, vector control. */
  private readonly table: Uint32Array;
  /** The level each vector was last driven at (through raise()), for the PBA. */
  private readonly levels: Uint8Array;

  constructor(private readonly config: ConfigSpace, options: MsixOptions, private readonly ctx?: Pick<PciFunctionContext, 'irq'>) {
    const { vectors, bar, tableOffset, pbaOffset } = options;
    const tableEnd = tableOffset + vectors * MSIX_ENTRY_SIZE;
    if (pbaOffset < tableEnd && tableOffset < pbaOffset + pbaBytes(vectors)) throw new RangeError('MSI-X: the table and the PBA overlap');
    this.capability = config.addMsixCapability(vectors, bar, tableOffset, bar, pbaOffset);
    this.vectors = vectors;
    this.bar = bar;
    this.tableOffset = tableOffset;
    this.pbaOffset = pbaOffset;
    this.table = new Uint32Array(vectors * 4);
    this.levels = new Uint8Array(vectors);
    config.msixRouter = this;
    this.reset();
  }

  get control(): number { return this.config.get16(this.capability + 2); }
  get enabled(): boolean { return (this.control & MSIX_CONTROL.ENABLE) !== 0; }
  get functionMasked(): boolean { return (this.control & MSIX_CONTROL.FUNCTION_MASK) !== 0; }

  /** Whether BAR offset `offset` is in the table or the PBA. */
  covers(offset: number): boolean {
    return (offset >= this.tableOffset && offset < this.tableOffset + this.vectors * MSIX_ENTRY_SIZE)
      || (offset >= this.pbaOffset && offset < this.pbaOffset + pbaBytes(this.vectors));
  }

  /** Drive `vector` through the function's context, remembering the level for the PBA. */
  raise(vector: number, level: boolean): void {
    if (vector >= 0 && vector < this.vectors) this.levels[vector] = level ? 1 : 0;
    this.ctx?.irq(vector, level);
  }

  /** The line `vector` drives now, or undefined (MSI-X off, masked, or an invalid message). */
  route(vector: number): number | undefined {
    if (!this.enabled || this.functionMasked || vector < 0 || vector >= this.vectors) return undefined;
    return entryLine(this.table[4 * vector]!, this.table[4 * vector + 1]!, this.table[4 * vector + 2]!, this.table[4 * vector + 3]!);
  }

  /** BAR-relative reads: table dwords, PBA bits (pending: raised while masked). */
  read(offset: number, size: AccessSize): number {
    if (size !== 4 || (offset & 3) !== 0) return 0;
    if (offset >= this.pbaOffset && offset < this.pbaOffset + pbaBytes(this.vectors)) {
      const first = (offset - this.pbaOffset) * 8;
      let bits = 0;
      for (let i = 0; i < 32 && first + i < this.vectors; i++) {
        if (this.levels[first + i] && this.isMasked(first + i)) bits |= 1 << i;
      }
      return bits >>> 0;
    }
    const i = (offset - this.tableOffset) >>> 2;
    return i >= 0 && i < this.table.length ? this.table[i]! : 0;
  }

  write(offset: number, size: AccessSize, value: number): void {
    if (size !== 4 || (offset & 3) !== 0) return;
    if (offset < this.tableOffset || offset >= this.tableOffset + this.vectors * MSIX_ENTRY_SIZE) return; // the PBA is read-only
    const i = (offset - this.tableOffset) >>> 2;
    this.table[i] = (i & 3) === 3 ? value & MSIX_VECTOR_MASKED : value >>> 0;
  }

  /** Power-on: every vector masked, addresses and data 0. */
  reset(): void {
    this.table.fill(0);
    for (let v = 0; v < this.vectors; v++) this.table[4 * v + 3] = MSIX_VECTOR_MASKED;
    this.levels.fill(0);
  }

  save(): MsixState {
    return { table: Array.from(this.table), levels: Array.from(this.levels) };
  }

  restore(state: unknown): void {
    const s = state as MsixState;
    this.table.set(s.table);
    this.levels.set(s.levels);
  }

  private isMasked(v: number): boolean {
    return this.functionMasked || (this.table[4 * v + 3]! & MSIX_VECTOR_MASKED) !== 0;
  }
}

function pbaBytes(vectors: number): number {
  return Math.ceil(vectors / 64) * 8;
}

function entryLine(addrLo: number, addrHi: number, data: number, control: number): number | undefined {
  if ((control & MSIX_VECTOR_MASKED) !== 0) return undefined;
  if (addrLo >>> 0 !== MSIX_ADDRESS || addrHi !== 0 || data >>> 0 >= LINES) return undefined;
  return data;
}

/** Where a function's MSI-X capability says its table is, read through its configuration space. */
export interface MsixLocation {
  capability: number;
  vectors: number;
  bar: number;
  tableOffset: number;
}

/** Find the MSI-X capability by walking the list from 0x34 (as a driver would). */
export function findMsix(config: PciConfig): MsixLocation | undefined {
  let p = config.read(0x34, 1) & ~3;
  for (let guard = 0; p !== 0 && guard < 64; guard++) {
    if (config.read(p, 1) === CAP.MSIX) {
      const table = config.read(p + 4, 4);
      return { capability: p, vectors: (config.read(p + 2, 2) & MSIX_CONTROL.TABLE_SIZE_MASK) + 1, bar: table & 7, tableOffset: (table & ~7) >>> 0 };
    }
    p = config.read(p + 1, 1) & ~3;
  }
  return undefined;
}

/**
 * What a vector of a function drives, for the bus: 'intx' while MSI-X is off
 * (or absent), else the line its table entry names, or undefined when the
 * function or the vector is masked or the message is not a valid one.
 */
export function msixRoute(config: PciConfig, bar: (n: number) => BusDevice | undefined, where: MsixLocation | undefined, vector: number): number | 'intx' | undefined {
  if (!where) return 'intx';
  const control = config.read(where.capability + 2, 2);
  if ((control & MSIX_CONTROL.ENABLE) === 0) return 'intx';
  if ((control & MSIX_CONTROL.FUNCTION_MASK) !== 0 || vector < 0 || vector >= where.vectors) return undefined;
  const dev = bar(where.bar);
  if (!dev) return undefined;
  const base = where.tableOffset + vector * MSIX_ENTRY_SIZE;
  return entryLine(dev.read(base, 4), dev.read(base + 4, 4), dev.read(base + 8, 4), dev.read(base + 12, 4));
}
