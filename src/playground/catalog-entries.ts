// The picker's shipped guests: which source, under what title, with which -D
// defines, mode and network card. The sources themselves (and every include
// they reach) come from the generated catalog (catalog-gen.ts); a test checks
// that each entry is in it and assembles.

import type { CatalogEntry } from './protocol.js';

const bench = (name: string, event: string): CatalogEntry => ({
  path: `guests/bench/${name}.s`, title: `bench: ${name}`, group: 'nanobenchmarks', defines: {}, mode: 'native',
  note: `${event}, N times (Adams & Agesen 2006); --stats adds per-iteration counts and cycles`,
});

const popek = (name: string, what: string): CatalogEntry => ({
  path: `guests/popek/${name}.s`, title: `popek: ${name}`, group: 'Popek-Goldberg', defines: {}, mode: 'trap',
  note: `${what}: sensitive but unprivileged, so trap-and-emulate gets it wrong`,
});

export const CATALOG_ENTRIES: readonly CatalogEntry[] = [
  { path: 'guests/hello.s', title: 'hello', group: 'programs', defines: {}, mode: 'native', note: 'the smallest program: a line on the console, halt 0' },
  { path: 'guests/echo.s', title: 'echo', group: 'programs', defines: {}, mode: 'native', note: 'reads console input and writes it back upper-cased (give it input)' },
  { path: 'guests/smc.s', title: 'self-modifying code', group: 'programs', defines: {}, mode: 'bt', note: 'rewrites its own instructions: bt invalidates its translations' },
  { path: 'guests/tinyos/tinyos.s', title: 'tinyos', group: 'tinyos', defines: {}, mode: 'native', note: 'the toy preemptive kernel: paging, processes, timer' },
  { path: 'guests/tinyos/tinyos.s', title: 'tinyos (PV build)', group: 'tinyos', defines: { PV: 1 }, mode: 'pv', note: 'the same kernel built with -D PV: hypercalls instead of privileged instructions' },
  { path: 'guests/tinyos/tinyos.s', title: 'tinyos -D NET', group: 'tinyos', defines: { NET: 1 }, mode: 'hw', nic: { kind: 'emulated' }, note: 'tinyos with its network layer, pinging the wire\'s echo peer' },
  bench('syscall', 'a system call from ring 3'),
  bench('in', 'a port read by the kernel'),
  bench('crwrite', 'a control-register write'),
  bench('callret', 'a call and return'),
  bench('pgfault', 'a page fault'),
  bench('divzero', 'a divide by zero'),
  bench('ptemod', 'a page-table entry change'),
  bench('ctxswitch', 'an address-space switch'),
  bench('aspace', 'an address space created and destroyed'),
  popek('rdflags', 'the kernel reads its flags'),
  popek('wrflags', 'the kernel restores its flags'),
  popek('rdptbr', 'the kernel reads its page-table base'),
  popek('rdtvec', 'the kernel reads its trap vector'),
  { path: 'guests/pv/ticks.s', title: 'pv: ticks', group: 'paravirtual', defines: {}, mode: 'pv', note: 'the smallest paravirtualized kernel: trap table, shared page, timer events' },
  { path: 'guests/net/pingpong.s', title: 'net: pingpong', group: 'network', defines: {}, mode: 'native', nic: { kind: 'emulated' }, note: 'round trips to the wire\'s echo peer (COUNT, default 100)' },
  { path: 'guests/net/stream.s', title: 'net: stream', group: 'network', defines: {}, mode: 'hw', nic: { kind: 'virtio', peer: 'sink' }, note: 'one-way frames to a sink, for throughput' },
  { path: 'guests/exceptions/timer.s', title: 'exceptions: timer', group: 'exceptions', defines: {}, mode: 'native', note: 'the interval timer\'s interrupt, three ticks' },
  { path: 'guests/exceptions/pagefault.s', title: 'exceptions: pagefault', group: 'exceptions', defines: {}, mode: 'native', note: 'a page fault on a missing and on a read-only page' },
  { path: 'guests/exceptions/syscall.s', title: 'exceptions: syscall', group: 'exceptions', defines: {}, mode: 'native', note: 'syscall from ring 3' },
  { path: 'guests/workloads/alu.s', title: 'workload: alu', group: 'workloads', defines: {}, mode: 'native', note: 'an ALU loop with paging on (engine benchmark)' },
];

