/**
 * @module Loaded into the gateway process by bench/gateway-alloc.bench.ts
 * (`node --expose-gc --import ./bench/gateway-alloc-probe.ts ...`): answers
 * the bench over the IPC channel with the bytes the process allocated on the
 * V8 heap and the CPU time it used between a `start` and a `stop` message,
 * and optionally a sampling heap profile of that window (top allocating
 * functions).
 *
 * Bytes allocated = what every GC in the window freed (before - after, from
 * v8.GCProfiler) + the growth of the used heap from a forced full GC at the
 * start to one at the end: garbage and retained objects alike.
 */
import { Session } from 'node:inspector';
import { GCProfiler } from 'node:v8';

/** A message from the bench. */
type ProbeCommand = { readonly cmd: 'start'; readonly heapProfile: boolean } | { readonly cmd: 'stop' };

/** What the probe answers to `stop`. */
export interface ProbeReport {
  /** Bytes allocated on the V8 heap in the window. */
  readonly allocatedBytes: number;
  /** CPU time used by the process in the window, microseconds (user + system). */
  readonly cpuMicros: number;
  /** Scavenges (young-generation GCs) in the window, the forced ones excluded. */
  readonly scavenges: number;
  /** Time spent in GC pauses in the window, the forced ones excluded, ms. */
  readonly gcPauseMs: number;
  /**
   * Bytes the scavenges moved into the old generation (growth of the old space across each scavenge):
   * objects that outlived two scavenges, which only full collections free and which lengthen every
   * scavenge that copies them first.
   */
  readonly promotedBytes: number;
  /** Top allocating functions of the sampling heap profile (when asked). */
  readonly top?: readonly { readonly fn: string; readonly bytes: number }[];
}

interface SamplingNode {
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly selfSize: number;
  readonly children: readonly SamplingNode[];
}

const forceGc = (): void => (globalThis as { gc?: () => void }).gc?.();

let profiler: GCProfiler | undefined;
let usedAtStart = 0;
let cpuAtStart: NodeJS.CpuUsage | undefined;
let session: Session | undefined;

function post<T>(s: Session, method: string, params: object = {}): Promise<T> {
  return new Promise((resolve, reject) => s.post(method, params, (err, res) => (err ? reject(err) : resolve(res as T))));
}

function topFunctions(root: SamplingNode, n: number): { fn: string; bytes: number }[] {
  const bySite = new Map<string, number>();
  const walk = (node: SamplingNode): void => {
    const { functionName, url, lineNumber } = node.callFrame;
    const site = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(src|node_modules)\//, '$1/')}:${lineNumber + 1}`;
    if (node.selfSize > 0) bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    for (const c of node.children) walk(c);
  };
  walk(root);
  return [...bySite]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([fn, bytes]) => ({ fn, bytes }));
}

async function start(heapProfile: boolean): Promise<void> {
  if (heapProfile) {
    session = new Session();
    session.connect();
    await post(session, 'HeapProfiler.startSampling', { samplingInterval: 512, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  }
  forceGc();
  profiler = new GCProfiler();
  profiler.start();
  usedAtStart = process.memoryUsage().heapUsed;
  cpuAtStart = process.cpuUsage();
}

async function stop(): Promise<ProbeReport> {
  const cpu = process.cpuUsage(cpuAtStart);
  forceGc();
  const stats = profiler?.stop()?.statistics ?? [];
  profiler = undefined;
  let freed = 0;
  let scavenges = 0;
  let gcPauseMs = 0;
  let promotedBytes = 0;
  const oldSpaceUsed = (spaces: readonly { spaceName: string; spaceUsedSize: number }[]): number => spaces.find((x) => x.spaceName === 'old_space')?.spaceUsedSize ?? 0;
  let usedAtEnd = process.memoryUsage().heapUsed;
  stats.forEach((s, i) => {
    freed += s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize;
    if (i === stats.length - 1) {
      usedAtEnd = s.afterGC.heapStatistics.usedHeapSize; // the forced GC at the end
      return;
    }
    if (s.gcType === 'Scavenge') {
      scavenges++;
      promotedBytes += Math.max(0, oldSpaceUsed(s.afterGC.heapSpaceStatistics) - oldSpaceUsed(s.beforeGC.heapSpaceStatistics));
    }
    gcPauseMs += s.cost / 1000;
  });
  let top: ProbeReport['top'];
  if (session !== undefined) {
    const { profile } = await post<{ profile: { head: SamplingNode } }>(session, 'HeapProfiler.stopSampling');
    top = topFunctions(profile.head, 40);
    session.disconnect();
    session = undefined;
  }
  return { allocatedBytes: freed + usedAtEnd - usedAtStart, cpuMicros: cpu.user + cpu.system, scavenges, gcPauseMs, promotedBytes, ...(top && { top }) };
}

process.on('message', (m: ProbeCommand) => {
  const reply = (r: object) => process.send?.(r);
  if (m.cmd === 'start') {
    void start(m.heapProfile).then(() => reply({ started: true }));
  } else {
    void stop().then(reply);
  }
});
