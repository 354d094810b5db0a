/**
 * @module Merges several workloads into one in time order (a k-way merge over
 * a small heap), mapping tenants by name. Used to mix tenants (ServeGen's
 * clients, or a trace with synthetic background load).
 */
import { InvalidInputError } from '../../core/errors.js';
import { WorkloadBuilder, type Workload } from './workload.js';

/**
 * One workload holding every request of `parts`, ordered by arrival time;
 * requests arriving at the same instant keep the order of `parts` (then their
 * own order). Tenants with the same name in two parts become one tenant; the
 * merged `tenantNames` lists names in order of first appearance across parts.
 * Parts with block hashes must agree on `blockTokens`; their ids are kept as
 * they are (so equal ids in two parts mean a shared prefix).
 */
export function mergeWorkloads(parts: readonly Workload[]): Workload {
  let total = 0;
  let blockTokens: number | undefined;
  for (const p of parts) {
    total += p.count;
    if (p.blockHashes !== undefined && p.blockTokens !== undefined) {
      if (blockTokens !== undefined && blockTokens !== p.blockTokens) {
        throw new InvalidInputError(`cannot merge workloads with ${blockTokens}- and ${p.blockTokens}-token hash blocks`, 'merge');
      }
      blockTokens = p.blockTokens;
    }
  }
  const b = new WorkloadBuilder({ capacity: total, tenantNames: [], ...(blockTokens === undefined ? {} : { blockTokens }) });
  const tenantMaps = parts.map((p) => p.tenantNames.map((name) => b.tenantIndex(name)));
  if (parts.every((p) => p.tenantNames.length === 0)) b.tenantIndex('default');

  // Heap of part indices keyed by (next arrival, part index).
  const heap: number[] = [];
  const cursor = new Int32Array(parts.length);
  const keyOf = (k: number): number => parts[k]!.arrivalMs[cursor[k]!]!;
  const less = (a: number, c: number): boolean => {
    const ka = keyOf(a);
    const kc = keyOf(c);
    return ka < kc || (ka === kc && a < c);
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) return;
      const r = l + 1;
      const m = r < heap.length && less(heap[r]!, heap[l]!) ? r : l;
      if (!less(heap[m]!, heap[i]!)) return;
      [heap[m], heap[i]] = [heap[i]!, heap[m]!];
      i = m;
    }
  };
  for (let k = 0; k < parts.length; k++) {
    if (parts[k]!.count === 0) continue;
    heap.push(k);
    for (let i = heap.length - 1; i > 0; ) {
      const up = (i - 1) >> 1;
      if (!less(heap[i]!, heap[up]!)) break;
      [heap[up], heap[i]] = [heap[i]!, heap[up]!];
      i = up;
    }
  }

  while (heap.length > 0) {
    const k = heap[0]!;
    const p = parts[k]!;
    const i = cursor[k]!;
    const h = p.blockHashes;
    b.add(p.arrivalMs[i]!, p.promptTokens[i]!, p.outputTokens[i]!, tenantMaps[k]![p.tenant[i]!]!, h?.ids.subarray(h.offsets[i]!, h.offsets[i + 1]!));
    cursor[k] = i + 1;
    if (i + 1 === p.count) {
      const last = heap.pop()!;
      if (heap.length === 0) break;
      heap[0] = last;
    }
    siftDown(0);
  }
  return b.build();
}
