// `virtlab host --vm NAME=FILE:MODE[,OPTION...]`: a VM of the host from the
// command line (docs/host.md, "The shorthand"). In MODE's place a profile's
// name (docs/profiles.md) sets what the configuration's "profile" would. Each --vm becomes the object
// a configuration file would hold, checked by the same schema, so the
// shorthand and the file cannot drift apart. OPTIONs: weight=N, memory=MiB,
// noept, novpid.

import { PROFILE_NAMES } from '../profiles/profiles.js';
import { UsageError } from './context.js';
import { parseNumber } from './numbers.js';

export const VM_OPTION_HELP = 'NAME=FILE:MODE|PROFILE[,OPTION...]';
const OPTIONS = 'weight=N, memory=MiB, noept, novpid';

/** The configuration object of one --vm (not yet checked: the schema does that). */
export function parseVmShorthand(spec: string): Record<string, unknown> {
  const bad = (why: string) => new UsageError(`bad --vm '${spec}': ${why} (expected ${VM_OPTION_HELP}; OPTIONs: ${OPTIONS})`);
  const eq = spec.indexOf('=');
  if (eq < 0) throw bad('no NAME=');
  const name = spec.slice(0, eq);
  const rest = spec.slice(eq + 1);
  // The mode follows the last ':' (a path may hold one); options follow the mode's first ','.
  const colon = rest.lastIndexOf(':');
  if (colon < 0) throw bad('no :MODE');
  const program = rest.slice(0, colon);
  const [mode, ...options] = rest.slice(colon + 1).split(',');
  // A profile's name is never a mode's (trap, bt, pv, hw), so one word serves both.
  const vm: Record<string, unknown> = PROFILE_NAMES.includes(mode!) ? { name, program, profile: mode } : { name, program, mode };
  for (const opt of options) {
    const oeq = opt.indexOf('=');
    const key = oeq < 0 ? opt : opt.slice(0, oeq);
    const value = oeq < 0 ? undefined : opt.slice(oeq + 1);
    if ((key === 'weight' || key === 'memory') && value !== undefined) {
      if (key in vm) throw bad(`${key} given twice`);
      vm[key] = parseNumber(value) ?? value; // not a number: the schema says so
    } else if ((key === 'noept' || key === 'novpid') && value === undefined) {
      const hw = (vm.hw ??= {}) as Record<string, boolean>;
      hw[key.slice(2)] = false;
    } else {
      throw bad(`unknown option '${opt}'`);
    }
  }
  return vm;
}
