// The wire's configuration: what `--peer echo|gen|sink` (and a host file)
// can say, checked once with one-line messages, and the text form
// "gen,size=128,every=1000,count=10,dst=02:00:00:00:00:01,vlan=5".

import { NetError } from './errors.js';
import { ETH_HEADER_LENGTH, MAX_PAYLOAD, MAX_VID, VLAN_TAG_LENGTH } from './frame.js';
import { BROADCAST_MAC, parseMac } from './mac.js';

export const WIRE_MODES = ['echo', 'gen', 'sink'] as const;
export type WireMode = (typeof WIRE_MODES)[number];

export const WIRE_MAC = '02:00:00:00:00:fe';
/** The generator's sequence number: the first 4 payload bytes (big-endian). */
export const GEN_SEQ_LENGTH = 4;
/** Echo reflections waiting out their delay, at most; more are dropped (no-buffer). */
export const ECHO_QUEUE_LIMIT = 1024;

export interface WireConfig {
  mode: WireMode;
  /** The wire's own MAC (default 02:00:00:00:00:fe). */
  mac?: string;
  /** echo: clock ticks between a frame's arrival and its reflection (default 0: inside receive()). */
  delay?: number;
  /** gen: destination MAC (default broadcast). */
  dst?: string;
  /** gen: frame length in bytes, header included, no FCS (default 60). */
  size?: number;
  /** gen: clock ticks between frames (default 10000). */
  every?: number;
  /** gen: clock value of the first frame (default `every`). */
  start?: number;
  /** gen: frames to send in all (default: no limit). */
  count?: number;
  /** gen: tag the frames with this VLAN ID (1..4094). */
  vlan?: number;
}

/** A checked configuration with every default filled in. */
export interface WireSettings {
  mode: WireMode;
  mac: Uint8Array;
  delay: number;
  dst: Uint8Array;
  size: number;
  every: number;
  start: number;
  count: number;
  vlan: number | undefined;
}

const KEYS = ['mac', 'delay', 'dst', 'size', 'every', 'start', 'count', 'vlan'] as const;
const GEN_ONLY = new Set(['dst', 'size', 'every', 'start', 'count', 'vlan']);

function integer(what: string, value: number | undefined, min: number, max: number, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new NetError(`wire: ${what} ${value} out of range ${min}..${max}`);
  return value;
}

/** Check a configuration; a NetError naming the bad option. */
export function wireSettings(config: WireConfig): WireSettings {
  if (!(WIRE_MODES as readonly string[]).includes(config.mode)) throw new NetError(`wire: unknown mode '${config.mode}' (echo, gen or sink)`);
  if (config.mode !== 'gen') {
    for (const k of GEN_ONLY) if (config[k as keyof WireConfig] !== undefined) throw new NetError(`wire: '${k}' is an option of gen, not of ${config.mode}`);
  }
  if (config.mode !== 'echo' && config.delay !== undefined) throw new NetError(`wire: 'delay' is an option of echo, not of ${config.mode}`);
  const vlan = config.vlan === undefined ? undefined : integer('vlan', config.vlan, 1, MAX_VID, 0);
  const header = ETH_HEADER_LENGTH + (vlan === undefined ? 0 : VLAN_TAG_LENGTH);
  const every = integer('every', config.every, 1, Number.MAX_SAFE_INTEGER, 10_000);
  return {
    mode: config.mode,
    mac: parseMac(config.mac ?? WIRE_MAC),
    delay: integer('delay', config.delay, 0, 1e12, 0),
    dst: parseMac(config.dst ?? BROADCAST_MAC),
    size: integer('size', config.size, header + GEN_SEQ_LENGTH, header + MAX_PAYLOAD, 60),
    every,
    start: integer('start', config.start, 0, Number.MAX_SAFE_INTEGER, every),
    count: integer('count', config.count, 0, Number.MAX_SAFE_INTEGER, Infinity),
    vlan,
  };
}

/**
 * Parse "MODE[,key=value...]" (e.g. "gen,size=128,every=1000,count=10");
 * numbers in decimal or 0x hex. Checked as wireSettings checks.
 */
export function parseWireSpec(spec: string): WireConfig {
  const [mode, ...rest] = spec.split(',');
  const config: WireConfig = { mode: mode as WireMode };
  const seen = new Set<string>();
  for (const item of rest) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    if (!(KEYS as readonly string[]).includes(key)) throw new NetError(`wire: unknown option '${key}' in '${spec}' (${KEYS.join(', ')})`);
    if (eq < 0) throw new NetError(`wire: option '${key}' needs a value (${key}=...)`);
    if (seen.has(key)) throw new NetError(`wire: option '${key}' given twice`);
    seen.add(key);
    const value = item.slice(eq + 1);
    if (key === 'mac' || key === 'dst') {
      config[key] = value;
    } else {
      if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(value)) throw new NetError(`wire: ${key}=${value}: not a number`);
      config[key as Exclude<(typeof KEYS)[number], 'mac' | 'dst'>] = Number(value);
    }
  }
  wireSettings(config);
  return config;
}
