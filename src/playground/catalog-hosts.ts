// The shipped host configurations (guests/hosts/*.json) as configurations the
// page can load: read with the host configuration's own parser, each VM's
// program path (relative to the file, as `virtlab host` reads it) made a
// catalog path.

import { parseHostConfig } from '../host/config.js';
import type { CatalogFiles } from './catalog.js';
import type { CatalogHost, Configuration, VmSpec } from './protocol.js';

/** `dir/rel` without `.` and `..` segments, '/'-separated (catalog paths never leave the repository). */
export function joinPath(dir: string, rel: string): string {
  const out: string[] = [];
  for (const part of `${dir}/${rel}`.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function catalogHosts(files: CatalogFiles): CatalogHost[] {
  const hosts: CatalogHost[] = [];
  for (const [path, text] of Object.entries(files)) {
    const m = /^guests\/hosts\/([^/]+)\.json$/.exec(path);
    if (!m) continue;
    const r = parseHostConfig(text);
    if (!r.ok) continue; // a test keeps every shipped one valid
    const dir = path.slice(0, path.lastIndexOf('/'));
    const vms = r.config.vms.map((vm): VmSpec => ({
      name: vm.name,
      program: { kind: 'catalog', path: joinPath(dir, vm.program) },
      mode: vm.mode,
      memoryMiB: vm.memory,
      weight: vm.weight,
      ...(Object.keys(vm.defines).length ? { defines: { ...vm.defines } } : {}),
      ...(vm.hw ? { hw: { ...vm.hw } } : {}),
      ...(vm.input === undefined ? {} : { input: vm.input }),
      ...(vm.nic ? { nic: { ...vm.nic } } : {}),
    }));
    const config: Configuration = {
      engine: 'jit', costModel: 'p4-2006', slice: r.config.slice, vms, host: true,
      ...(r.config.network ? { peer: r.config.network.peer } : {}),
    };
    hosts.push({ path, title: `host: ${m[1]} (${vms.map((v) => `${v.name} ${v.mode}`).join(', ')})`, config });
  }
  return hosts;
}
