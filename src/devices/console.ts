// Console: a byte-wide serial port, reachable both as I/O ports and as MMIO so
// both bus paths get used.
//
//   register   port   MMIO (default base 0xF0000000)
//   data       0x10   +0   out/write: send the low byte. in/read: next input byte, or 0xffffffff if none
//   status     0x11   +4   bit 0: input available
//   control    0x12   +8   bit 0: raise interrupt line 1 while input is available
//
// Output goes to a sink (e.g. stdout) in chunks, or is captured in memory;
// input comes from a string or buffer given up front, or fed later with feed().

import { registerViews, type BoardDevice, type BusDevice, type BusMapping, type DeviceContext } from '../machine/device.js';

export const CONSOLE_PORT_BASE = 0x10;
export const CONSOLE_MMIO_BASE = 0xf000_0000;
export const CONSOLE_MMIO_SIZE = 0x1000;
export const CONSOLE_IRQ = 1;
export const CONSOLE_REGS = { data: 0, status: 1, control: 2 } as const;
export const CONSOLE_STATUS_INPUT = 1;
export const CONSOLE_CONTROL_RX_IRQ = 1;

/** The console's ranges: three ports and a page of MMIO (the guest's console answers the same ones). */
export function consoleMappings(pio: BusDevice, mmio: BusDevice): readonly BusMapping[] {
  return [
    { space: 'pio', base: CONSOLE_PORT_BASE, length: 3, device: pio },
    { space: 'mmio', base: CONSOLE_MMIO_BASE, length: CONSOLE_MMIO_SIZE, device: mmio },
  ];
}

export interface ConsoleOptions {
  /** Bytes the guest can read (a string is UTF-8 encoded). */
  input?: string | Uint8Array;
  /** Where output goes; without one it is captured (see output()/text()). */
  sink?: (bytes: Uint8Array) => void;
}

interface ConsoleState {
  inputPos: number;
  outputLength: number;
  control: number;
}

const FLUSH_AT = 4096;

export class Console implements BoardDevice {
  readonly name = 'console';
  readonly line = CONSOLE_IRQ;
  private input: Uint8Array;
  private inputPos = 0;
  private control = 0;
  private readonly sink: ((bytes: Uint8Array) => void) | undefined;
  /** Captured output (no sink), or pending output not yet given to the sink. */
  private out: number[] = [];
  /** Logical output position of out[0]: bytes before it went to the sink and cannot be taken back. */
  private outStart = 0;

  /** Port view (one register per port) and MMIO view (one register per 4 bytes). */
  private readonly views = registerViews((reg) => this.readReg(reg), (reg, value) => this.writeReg(reg, value));
  readonly pio: BusDevice = this.views.pio;
  readonly mmio: BusDevice = this.views.mmio;
  readonly mappings = consoleMappings(this.pio, this.mmio);

  constructor(private readonly ctx: DeviceContext, options: ConsoleOptions = {}) {
    this.input = toBytes(options.input);
    this.sink = options.sink;
  }

  reset(): void {
    this.inputPos = 0;
    this.control = 0;
    this.flush();
    this.out = [];
    this.outStart = 0;
    this.updateLine();
  }

  /** Make more input available to the guest. */
  feed(input: string | Uint8Array): void {
    const more = toBytes(input);
    const joined = new Uint8Array(this.input.length + more.length);
    joined.set(this.input);
    joined.set(more, this.input.length);
    this.input = joined;
    this.updateLine();
  }

  /** Everything written so far, when capturing (no sink). */
  output(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  text(): string {
    return new TextDecoder().decode(this.output());
  }

  flush(): void {
    if (this.sink && this.out.length > 0) {
      this.sink(Uint8Array.from(this.out));
      this.outStart += this.out.length;
      this.out = [];
    }
  }

  save(): ConsoleState {
    return { inputPos: this.inputPos, outputLength: this.outStart + this.out.length, control: this.control };
  }

  /**
   * Output already given to a sink stays written (the outside world saw it),
   * but the device's position goes back, so save() after restore() matches.
   */
  restore(state: unknown): void {
    const s = state as ConsoleState;
    this.inputPos = s.inputPos;
    this.control = s.control;
    if (s.outputLength >= this.outStart) {
      this.out.length = Math.min(this.out.length, s.outputLength - this.outStart);
    } else {
      this.out = [];
      this.outStart = s.outputLength;
    }
  }

  private available(): boolean {
    return this.inputPos < this.input.length;
  }

  private readReg(reg: number): number {
    switch (reg) {
      case CONSOLE_REGS.data: {
        if (!this.available()) return 0xffffffff;
        const b = this.input[this.inputPos++]!;
        this.updateLine();
        return b;
      }
      case CONSOLE_REGS.status: return this.available() ? CONSOLE_STATUS_INPUT : 0;
      case CONSOLE_REGS.control: return this.control;
      default: return 0;
    }
  }

  private writeReg(reg: number, value: number): void {
    switch (reg) {
      case CONSOLE_REGS.data:
        this.out.push(value & 0xff);
        if (this.sink && ((value & 0xff) === 10 || this.out.length >= FLUSH_AT)) this.flush();
        break;
      case CONSOLE_REGS.control:
        this.control = value & CONSOLE_CONTROL_RX_IRQ;
        this.updateLine();
        break;
    }
  }

  private updateLine(): void {
    this.ctx.setIrq(this.line, (this.control & CONSOLE_CONTROL_RX_IRQ) !== 0 && this.available());
  }
}

function toBytes(input: string | Uint8Array | undefined): Uint8Array {
  if (input === undefined) return new Uint8Array(0);
  return typeof input === 'string' ? new TextEncoder().encode(input) : Uint8Array.from(input);
}
