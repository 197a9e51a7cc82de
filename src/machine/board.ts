// A board: the devices a machine is built from. The machine (and a monitor's
// virtual platform, the same way) instantiates each factory on its context and
// registers the ranges each device answers on its bus, so adding a device
// (a NIC, an IOMMU) is adding a factory to the list, not wiring a field.

import { Console, type ConsoleOptions } from '../devices/console.js';
import { Timer } from '../devices/timer.js';
import type { Bus } from './bus.js';
import type { BoardDevice, DeviceContext, DeviceFactory } from './device.js';

export interface StandardBoardOptions {
  /** Console options, or false for no console. Default: a console with captured output, no input. */
  console?: ConsoleOptions | false;
  /** The interval timer (default true). */
  timer?: boolean;
}

/** The bare machine's devices of docs/machine.md: the interval timer and the console. */
export function standardBoard(options: StandardBoardOptions = {}): DeviceFactory[] {
  const board: DeviceFactory[] = [];
  if (options.timer !== false) board.push((ctx) => new Timer(ctx));
  if (options.console !== false) {
    const consoleOptions = options.console || {};
    board.push((ctx) => new Console(ctx, consoleOptions));
  }
  return board;
}

/** Instantiate `factories` on `ctx` and register their ranges on `bus`; device names must be unique. */
export function buildBoard(bus: Bus, ctx: DeviceContext, factories: readonly DeviceFactory[]): BoardDevice[] {
  const devices: BoardDevice[] = [];
  for (const make of factories) {
    const d = make(ctx);
    if (devices.some((o) => o.name === d.name)) throw new Error(`board: two devices named '${d.name}'`);
    for (const m of d.mappings) {
      if (m.space === 'pio') bus.registerPio(m.base, m.length, d.name, m.device);
      else bus.registerMmio(m.base, m.length, d.name, m.device);
    }
    devices.push(d);
  }
  return devices;
}
