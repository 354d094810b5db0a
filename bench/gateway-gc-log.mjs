/**
 * Loaded into the gateway by bench/gateway.bench.ts (`node --import`): appends
 * one line per V8 garbage collection to the file named by TOKENFLEET_GC_LOG,
 * `<start, Unix epoch ms> <pause ms> <kind>` (kind: minor = a young-generation
 * scavenge, major = mark-sweep-compact, incremental, weak = weak callbacks), so
 * that the benchmark can show the pauses that fell in its open loop next to
 * the latency they add. Plain JavaScript: it runs in a build without tsx.
 */
import { appendFileSync } from 'node:fs';
import process from 'node:process';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';

const file = process.env.TOKENFLEET_GC_LOG;
const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weak',
};
if (file !== undefined) {
  new PerformanceObserver((list) => {
    let lines = '';
    for (const e of list.getEntries()) lines += `${(performance.timeOrigin + e.startTime).toFixed(1)} ${e.duration.toFixed(3)} ${KINDS[e.detail?.kind] ?? 'other'}\n`;
    appendFileSync(file, lines);
  }).observe({ entryTypes: ['gc'] });
}
