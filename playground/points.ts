// The page's breakpoints (by source line, from the editor's margin) and watchpoints. They outlive a load:
// every load, and every change to them, sets them all anew in the session, which numbers them itself.
import type { LineAddress } from '../src/playground/protocol.js';
import { RequestFailed, type SessionClient } from './client.js';

export interface Watch {
  address: number;
  access: 'r' | 'w' | 'rw';
}

export class Points {
  readonly lines = new Set<number>();
  readonly watches: Watch[] = [];
  /** The loaded program's line table (which lines have code), while the editor still matches it. */
  lineTable: LineAddress[] | null = null;

  /** Another program: its lines and addresses mean something else. */
  reset(): void {
    this.lines.clear();
    this.watches.length = 0;
    this.lineTable = null;
  }

  /** Whether `line` of `file` has code, by the line table (true when there is none to ask). */
  hasCode(file: string, line: number): boolean {
    return !this.lineTable || this.lineTable.some((l) => l.file === file && l.line === line);
  }

  /**
   * Sets every point in a session just loaded or cleared, in each of `vms`. A line the session refuses
   * (no code there: a comment, a label alone, a directive) is dropped; the refusals are returned.
   */
  async applyTo(client: SessionClient, vms: readonly { name: string }[], file: string): Promise<string[]> {
    const refused: string[] = [];
    for (const line of [...this.lines]) {
      for (const vm of vms) {
        try {
          await client.call({ type: 'break', vm: vm.name, at: { kind: 'line', file, line } }, 'point');
        } catch (err) {
          if (!(err instanceof RequestFailed)) throw err;
          this.lines.delete(line);
          refused.push(`line ${line}: ${err.message}`);
          break;
        }
      }
    }
    for (const w of this.watches) {
      for (const vm of vms) await client.call({ type: 'watch', vm: vm.name, address: w.address, access: w.access }, 'point');
    }
    return refused;
  }
}
