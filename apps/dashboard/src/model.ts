import type { DerivedState, HostView } from '@klp/contracts';
import { type AuditRecord, STATES, type PatchRollup } from './api';

/** Pure helpers of the screens: no DOM, no React, unit-tested under Node. */

export type Counts = Record<DerivedState, number>;

/** One reading of `GET /v1/patches`, kept client-side for the "hosts per state over time" chart. */
export interface Sample {
  at: number;
  patches: PatchRollup;
}

export const MAX_SAMPLES = 150;
/** The chart shows at least this many sample positions (a minute at 2 s). */
export const MIN_SLOTS = 30;

/** Appends a sample, keeping the newest `max` (at 2 s a poll, 150 samples are 5 minutes). */
export function appendSample(history: readonly Sample[], sample: Sample, max = MAX_SAMPLES): Sample[] {
  const next = [...history, sample];
  return next.length > max ? next.slice(next.length - max) : next;
}

export function emptyCounts(): Counts {
  return { disabled: 0, enabled: 0, transition: 0, patched: 0 };
}

export function countsOf(rollup: PatchRollup, patch: string): Counts {
  return { ...emptyCounts(), ...rollup[patch] };
}

export function totalOf(counts: Counts): number {
  return STATES.reduce((sum, state) => sum + (counts[state] ?? 0), 0);
}

/**
 * SVG polyline points for a series of values on a `width` × `height` canvas, scaled to `max`,
 * spread evenly over `slots` positions and right-aligned (the newest at the right edge).
 */
export function polylinePoints(
  values: readonly number[],
  width: number,
  height: number,
  max: number,
  slots = values.length,
): string {
  const step = slots > 1 ? width / (slots - 1) : 0;
  const offset = (slots - values.length) * step;
  const scale = max > 0 ? height / max : 0;
  return values
    .map((value, index) => `${round(offset + index * step)},${round(height - value * scale)}`)
    .join(' ');
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/**
 * The command that reverses a running transition: enabling a patch that is unpatching, or
 * disabling one that is patching (the kernel's `enabled_store` reversal). `null` when that patch is
 * not the one in transition.
 */
export function reverseCommand(
  view: Pick<HostView, 'transition'>,
  patch: string,
): 'EnablePatch' | 'DisablePatch' | null {
  const transition = view.transition;
  if (!transition || transition.patch !== patch) return null;
  return transition.target === 'unpatched' ? 'EnablePatch' : 'DisablePatch';
}

/** `1 h 2 min`, `3 min 4 s`, `5 s`, `300 ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = Math.floor(ms / 1000);
  const [h, m, s] = [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60];
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

/** An audit value (`from`/`to`) in one short line. */
export function formatValue(value: unknown): string {
  if (value === undefined) return '—';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/** A UUID v4 from 16 random bytes (crypto.randomUUID needs a secure context; this does not). */
export function uuidFromBytes(bytes: Uint8Array): string {
  const b = Array.from(bytes.slice(0, 16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = b.map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The func stacks of one patch's object and function, by the host view's `object/func` key. */
export function funcStackOf(view: Pick<HostView, 'funcStacks'>, object: string, func: string): string[] {
  return [...(view.funcStacks[`${object}/${func}`] ?? [])];
}

/** The audit records of one accepted (or rejected) command on one host: a line of the timeline. */
export interface CommandGroup {
  key: string;
  hostId: string;
  version: number;
  at: string;
  actor: string;
  commandType: string;
  changes: AuditRecord[];
}

/** Groups audit records (newest first) by host and version, keeping their order. */
export function groupByCommand(records: readonly AuditRecord[]): CommandGroup[] {
  const groups: CommandGroup[] = [];
  for (const record of records) {
    const last = groups[groups.length - 1];
    if (last && last.hostId === record.hostId && last.version === record.version && last.at === record.at) {
      last.changes.push(record);
    } else {
      groups.push({
        key: `${record.hostId}.${record.version}.${record.index}`,
        hostId: record.hostId,
        version: record.version,
        at: record.at,
        actor: record.actor,
        commandType: record.commandType,
        changes: [record],
      });
    }
  }
  return groups;
}
