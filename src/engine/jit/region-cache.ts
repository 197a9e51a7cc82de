// Compiled regions by what they were compiled from: the words the region
// covers, the entry, the mode and the RAM size. A region's code depends on
// nothing else, so the same code at the same place reuses its function: a
// machine reset and reloaded (every benchmark run), a binary translator
// writing the same translation again while the rest of its cache page fills
// differently, or the many machines of a test run. Keyed by a hash, confirmed
// word for word (a collision only costs a compile).

import { H } from '../../isa/semantics.js';
import type { RegionFn } from '../interp/gen.js';
import { compileRegion } from './compile.js';
import { formRegion, MAX_REGION_INSNS, regionWords } from './region.js';

export interface CompiledRegion {
  /** Blocks in the region (0: nothing compilable at the entry; fn is null). */
  blocks: number;
  fn: RegionFn | null;
}

interface Entry extends CompiledRegion {
  /** The page offsets the region covers, and the words it was compiled from there. */
  offsets: number[];
  words: number[];
}

/**
 * Entries kept before the cache starts over. A region's code embeds physical
 * addresses, so the VMs of a host (each in its own window of RAM) cannot share
 * regions: 64 small tinyos VMs need about 5,300, and a smaller cache started
 * over within every pass of the scheduler.
 */
const MAX_ENTRIES = 16384;
const cache = new Map<string, Entry>();
/** The entry last used at each place (page, entry word, mode, RAM size). */
const byPlace = new Map<string, Entry>();

/**
 * The region entered at word `entry` of `page` (the physical page at word index
 * `pageWord`), compiled or reused; `ran` tells which words have run (formRegion).
 */
export function regionFor(page: Int32Array, pageWord: number, entry: number, mode: number, ram: number, ran?: (offset: number) => boolean): { region: CompiledRegion; reused: boolean } {
  // The region last made for this place, if its words are still there: a machine reset
  // asks for every region again, and forming one only to find it cached took a JIT
  // run's whole second pass over its code.
  const place = `${pageWord}/${entry}/${mode}/${ram}`;
  const last = byPlace.get(place);
  if (last && last.offsets.every((o, i) => page[o] === last.words[i])) return { region: last, reused: true };
  // The largest region compileRegion may take in: smaller shapes cover a subset of its words.
  const formed = regionWords(formRegion(page, entry, mode >> 1, MAX_REGION_INSNS, ran));
  // A region with nothing compilable still depends on its entry word: with no word to check, the
  // shortcut above would hand that empty region to whatever code is later put at this place.
  const offsets = formed.length ? formed : [entry];
  let h = 0x811c9dc5;
  for (const o of offsets) h = Math.imul(Math.imul(h ^ o, 0x01000193) ^ page[o]!, 0x01000193);
  const key = `${pageWord}/${entry}/${mode}/${ram}/${offsets.length}/${h >>> 0}`;
  const hit = cache.get(key);
  if (hit && hit.offsets.every((o, i) => o === offsets[i] && page[o] === hit.words[i])) {
    byPlace.set(place, hit);
    return { region: hit, reused: true };
  }
  const { len, blocks, source } = compileRegion(page, pageWord, entry, mode, ram, ran);
  const fn = len > 0 ? (new Function('H', source) as (h: typeof H) => RegionFn)(H) : null;
  if (cache.size >= MAX_ENTRIES) { cache.clear(); byPlace.clear(); }
  const made: Entry = { blocks, fn, offsets, words: offsets.map((o) => page[o]!) };
  cache.set(key, made);
  byPlace.set(place, made);
  return { region: made, reused: false };
}
