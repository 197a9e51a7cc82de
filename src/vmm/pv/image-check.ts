// Whether an image is a paravirtualized build: pv runs only kernels written
// for it. An unmodified kernel would run its sensitive instructions at ring 1
// unnoticed (rdflags, wrflags: see docs/virtualization.md), so it is refused
// at load instead of misbehaving later. A PV build declares the ABI it speaks
// with an absolute symbol (guests/pv/hypercalls.inc defines it).

import type { Image } from '../../elf/image.js';
import { LoadError } from '../../machine/loader.js';
import { PV_ABI_VERSION, PV_MARKER } from './abi.js';

/** A LoadError, so that the CLI reports it as it reports any image it cannot load. */
export class PvImageError extends LoadError {}

export function checkPvImage(image: Image): void {
  const marker = image.symbols.find((s) => s.name === PV_MARKER && s.kind === 'abs');
  if (!marker) {
    throw new PvImageError(`not a paravirtualized build (no ${PV_MARKER} symbol): assemble it with -D PV to run it under --mode pv`);
  }
  if (marker.value !== PV_ABI_VERSION) {
    throw new PvImageError(`built for pv ABI version ${marker.value}, but this monitor speaks version ${PV_ABI_VERSION}`);
  }
}
