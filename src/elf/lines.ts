// The `.virtlab.lines` section: the image's address-to-source line table, so a
// debugger or trace can show file:line from an ELF file alone.
//
// Layout (all fields little-endian u32, section aligned to 4):
//   header     version (= 1), fileCount, recordCount, namesSize
//   files      fileCount x nameOffset        offset of the file name in `names`
//   records    recordCount x (addr, fileIndex, line)
//   names      namesSize bytes: NUL-terminated UTF-8 file names
// Records keep the image's order; the file table keeps the order of first use.

import type { LineEntry } from './image.js';

export const LINES_VERSION = 1;
const HEADER = 16;
const RECORD = 12;

const utf8 = new TextEncoder();

export function encodeLines(lines: readonly LineEntry[]): Uint8Array {
  const fileIndex = new Map<string, number>();
  const names: Uint8Array[] = [];
  const nameOffsets: number[] = [];
  let namesSize = 0;
  for (const { file } of lines) {
    if (fileIndex.has(file)) continue;
    fileIndex.set(file, fileIndex.size);
    const bytes = utf8.encode(file + '\0');
    nameOffsets.push(namesSize);
    names.push(bytes);
    namesSize += bytes.length;
  }
  const out = new Uint8Array(HEADER + 4 * fileIndex.size + RECORD * lines.length + namesSize);
  const view = new DataView(out.buffer);
  view.setUint32(0, LINES_VERSION, true);
  view.setUint32(4, fileIndex.size, true);
  view.setUint32(8, lines.length, true);
  view.setUint32(12, namesSize, true);
  let at = HEADER;
  for (const off of nameOffsets) { view.setUint32(at, off, true); at += 4; }
  for (const l of lines) {
    view.setUint32(at, l.addr >>> 0, true);
    view.setUint32(at + 4, fileIndex.get(l.file)!, true);
    view.setUint32(at + 8, l.line >>> 0, true);
    at += RECORD;
  }
  for (const n of names) { out.set(n, at); at += n.length; }
  return out;
}

/** Decode the section; `fail` reports a malformed table (it must throw). */
export function decodeLines(bytes: Uint8Array, fail: (problem: string) => never): LineEntry[] {
  if (bytes.length < HEADER) fail(`${bytesLabel(bytes.length)} is too short for a line-table header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(0, true);
  if (version !== LINES_VERSION) fail(`line table version ${version} is not supported (expected ${LINES_VERSION})`);
  const fileCount = view.getUint32(4, true);
  const recordCount = view.getUint32(8, true);
  const namesSize = view.getUint32(12, true);
  const expected = HEADER + 4 * fileCount + RECORD * recordCount + namesSize;
  if (expected !== bytes.length) fail(`line table size ${bytes.length} does not match its header (${expected})`);
  const namesAt = HEADER + 4 * fileCount + RECORD * recordCount;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const files: string[] = [];
  for (let i = 0; i < fileCount; i++) {
    const off = view.getUint32(HEADER + 4 * i, true);
    const end = off < namesSize ? bytes.indexOf(0, namesAt + off) : -1;
    if (end < 0) fail(`line table file name ${i} at offset ${off} is outside the name table or not terminated`);
    try {
      files.push(decoder.decode(bytes.subarray(namesAt + off, end)));
    } catch {
      fail(`line table file name ${i} is not valid UTF-8`);
    }
  }
  const lines: LineEntry[] = [];
  for (let i = 0, at = HEADER + 4 * fileCount; i < recordCount; i++, at += RECORD) {
    const fileNo = view.getUint32(at + 4, true);
    if (fileNo >= fileCount) fail(`line record ${i} names file ${fileNo}, but the table has ${fileCount}`);
    lines.push({ addr: view.getUint32(at, true), file: files[fileNo]!, line: view.getUint32(at + 8, true) });
  }
  return lines;
}

function bytesLabel(n: number): string {
  return `${n} byte${n === 1 ? '' : 's'}`;
}
