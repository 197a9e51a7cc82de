// The segments an image loads. readElf gives an image the segments of its
// program headers; an assembled image has none and loads its non-empty
// sections, which are exactly the segments writeElf writes for it.

import type { Image, ImageSection, ImageSegment } from './image.js';

/** What the loader copies into memory: the image's segments, else one per non-empty section (named by its section). */
export function segmentsOf(image: Image): ImageSegment[] {
  return image.segments ?? image.sections.filter((s) => s.size > 0)
    .map((s) => ({ section: s.name, addr: s.addr, data: s.data, size: s.size, flags: { ...s.flags } }));
}

/** The PT_LOAD program headers writeElf writes for these sections, as readElf reads them back. */
export function writtenSegments(sections: readonly ImageSection[]): ImageSegment[] {
  return sections.filter((s) => s.size > 0)
    .sort((a, b) => (a.addr >>> 0) - (b.addr >>> 0))
    .map((s, header) => ({ header, addr: s.addr >>> 0, data: s.data, size: s.size, flags: { ...s.flags } }));
}
