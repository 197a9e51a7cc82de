// The picker of shipped guests and host configurations, and the configuration the page loads from the
// choice, the top bar's settings and the editor's text.
import type { CatalogEntry, CatalogHost, Configuration, ModeName, ProgramRef } from '../src/playground/protocol.js';
import type { Controls } from './controls.js';

export type Choice = { kind: 'guest'; entry: CatalogEntry } | { kind: 'host'; host: CatalogHost };

/** A program's path as the catalog and the line tables name it. */
export function programPath(p: ProgramRef): string {
  return p.kind === 'catalog' ? p.path : p.file;
}

export class GuestChoice {
  private entries: readonly CatalogEntry[] = [];
  private hosts: readonly CatalogHost[] = [];
  private current: Choice | null = null;

  constructor(private readonly select: HTMLSelectElement) {}

  /** Fills the picker: guests by group (several share a source, so an option's value is its index), then hosts. */
  fill(entries: readonly CatalogEntry[], hosts: readonly CatalogHost[]): void {
    this.entries = entries;
    this.hosts = hosts;
    const groups = new Map<string, HTMLOptGroupElement>();
    const group = (label: string) => {
      let g = groups.get(label);
      if (!g) {
        g = document.createElement('optgroup');
        g.label = label;
        groups.set(label, g);
        this.select.append(g);
      }
      return g;
    };
    const option = (value: string, text: string, title: string) => {
      const o = document.createElement('option');
      o.value = value;
      o.textContent = text;
      o.title = title;
      return o;
    };
    entries.forEach((e, i) => group(e.group).append(option(String(i), e.title, e.note)));
    hosts.forEach((h, i) => group('host configurations').append(option(`host:${i}`, h.title, h.path)));
  }

  /** The picker value of hello (the page's first guest), or of the first entry. */
  firstValue(): string | null {
    if (this.entries.length === 0) return null;
    return String(Math.max(0, this.entries.findIndex((e) => e.path === 'guests/hello.s')));
  }

  /** Makes the option `value` the choice; one line when there is no such option. */
  choose(value: string): Choice {
    const host = value.startsWith('host:') ? this.hosts[Number(value.slice(5))] : undefined;
    const entry = value.startsWith('host:') ? undefined : this.entries[Number(value)];
    if (host) this.current = { kind: 'host', host };
    else if (entry) this.current = { kind: 'guest', entry };
    else throw new Error(`the picker has no choice '${value}'`);
    this.select.value = value;
    return this.current;
  }

  /** A host configuration is chosen: it decides the VMs, their modes and defines. */
  get host(): CatalogHost | null {
    return this.current?.kind === 'host' ? this.current.host : null;
  }

  /** How a run of this choice is named on the page (a host configuration: its title). */
  title(): string | null {
    return this.host?.title ?? null;
  }

  /**
   * What `load` builds: a host configuration as its file says (the page's engine and cost model, and the
   * editor's text for the VMs that run the edited program), or the guest on `c.vmCount` VMs under `mode`.
   */
  configuration(c: Controls, mode: ModeName, program: Extract<ProgramRef, { kind: 'source' }>): Configuration {
    const host = this.host;
    if (host) {
      const vms = host.config.vms.map((v) => (programPath(v.program) === program.file ? { ...v, program } : v));
      return { ...host.config, vms, engine: c.engine, costModel: c.costModel };
    }
    const nic = this.current?.kind === 'guest' ? this.current.entry.nic : undefined;
    const count = c.vmCount;
    const vms = Array.from({ length: count }, (_, i) => ({
      name: count === 1 ? mode : `${mode}${i + 1}`,
      program,
      defines: c.defines,
      mode,
      ...(mode === 'hw' ? { hw: c.hw } : {}),
      ...(nic ? { nic } : {}),
    }));
    return { vms, engine: c.engine, costModel: c.costModel };
  }
}
