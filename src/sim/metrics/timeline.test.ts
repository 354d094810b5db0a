import { describe, expect, it } from 'vitest';
import { TIMELINE_CSV_HEADER, Timeline, type StepObservation } from './timeline.js';

function step(running: number, waiting: number, kvUsedFraction: number, prefillTokens: number, decodeTokens: number): StepObservation {
  return { running, waiting, kvUsedFraction, prefillTokens, decodeTokens };
}

/**
 * 1-second intervals; pool 0 has two replicas, pool 1 one.
 * pool 0 replica 0: [0, 500] running 4, waiting 2, kv 0.5, 1000 prefill + 4 decode tokens;
 *                   [500, 1500] a jump of decode steps: running 8, kv 0.8, 80 tokens, half in each interval.
 * pool 0 replica 1: [200, 400] running 2, waiting 1, kv 0.2, 200 prefill + 2 decode tokens.
 * pool 1 replica 0: [1200, 1700] running 1, waiting 3, kv 0.1, 50 prefill + 1 decode token.
 */
function handMade(): Timeline {
  const t = new Timeline({ intervalMs: 1000, replicasPerPool: [2, 1] });
  t.observeStep(0, 0, 0, 500, step(4, 2, 0.5, 1000, 4));
  t.observeStep(0, 1, 200, 400, step(2, 1, 0.2, 200, 2));
  t.observeStep(0, 0, 500, 1500, step(8, 0, 0.8, 0, 80));
  t.observeStep(1, 0, 1200, 1700, step(1, 3, 0.1, 50, 1));
  return t;
}

describe('Timeline', () => {
  it('weights each step by its time in the interval, per replica', () => {
    const rows = handMade().rows(2000);
    expect(rows).toHaveLength(4);
    const [pool0first, pool1first, pool0second, pool1second] = rows;
    // Interval 0 of pool 0: 2 replicas x 1000 ms = 2000 replica-ms.
    expect(pool0first!.busyFraction).toBeCloseTo((500 + 500 + 200) / 2000, 12);
    expect(pool0first!.runningMean).toBeCloseTo((4 * 500 + 8 * 500 + 2 * 200) / 2000, 12);
    expect(pool0first!.runningMax).toBe(8);
    expect(pool0first!.waitingMean).toBeCloseTo((2 * 500 + 1 * 200) / 2000, 12);
    expect(pool0first!.kvOccupancyMean).toBeCloseTo((0.5 * 500 + 0.8 * 500 + 0.2 * 200) / 2000, 12);
    expect(pool0first!.kvOccupancyMax).toBe(0.8);
    expect(pool0first!.inputTokensPerSecond).toBeCloseTo(1200, 9);
    expect(pool0first!.outputTokensPerSecond).toBeCloseTo(4 + 40 + 2, 9);
    expect(pool1first).toMatchObject({ pool: 1, busyFraction: 0, runningMean: 0, kvOccupancyMax: 0 });
    // Interval 1: the other half of the jump.
    expect(pool0second!.intervalStartSeconds).toBe(1);
    expect(pool0second!.busyFraction).toBeCloseTo(0.25, 12);
    expect(pool0second!.runningMean).toBeCloseTo(2, 12);
    expect(pool0second!.kvOccupancyMean).toBeCloseTo(0.2, 12);
    expect(pool0second!.outputTokensPerSecond).toBeCloseTo(40, 9);
    expect(pool1second!.busyFraction).toBeCloseTo(0.5, 12);
    expect(pool1second!.waitingMean).toBeCloseTo(1.5, 12);
    expect(pool1second!.waitingMax).toBe(3);
    expect(pool1second!.inputTokensPerSecond).toBeCloseTo(50, 9);
  });

  it('averages a last, partial interval over its covered part', () => {
    const rows = handMade().rows(1800);
    const pool1 = rows[3]!;
    expect(pool1.busyFraction).toBeCloseTo(500 / 800, 12);
    expect(pool1.inputTokensPerSecond).toBeCloseTo(50 / 0.8, 9);
    expect(rows[2]!.busyFraction).toBeCloseTo(500 / 1600, 12);
  });

  it('writes CSV', () => {
    const lines = handMade().toCsv({ endMs: 2000, poolNames: ['h100', 'mi300x'] }).trimEnd().split('\n');
    expect(lines).toEqual([
      TIMELINE_CSV_HEADER,
      '0,h100,0.6,3.2,0.6,0.345,0.8,1200,46',
      '0,mi300x,0,0,0,0,0,0,0',
      '1,h100,0.25,2,0,0.2,0.8,0,40',
      '1,mi300x,0.5,0.5,1.5,0.05,0.1,50,1',
    ]);
  });

  it('puts a step ending on a boundary in the interval before it, and a zero-length step in its own', () => {
    const t = new Timeline({ intervalMs: 100, replicasPerPool: [1] });
    t.observeStep(0, 0, 0, 100, step(1, 0, 0.1, 10, 0));
    expect(t.intervalCount).toBe(1);
    t.observeStep(0, 0, 150, 150, step(1, 0, 0.9, 0, 5));
    const rows = t.rows();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.busyFraction).toBe(1);
    expect(rows[1]!.kvOccupancyMax).toBe(0.9);
    expect(rows[1]!.busyFraction).toBe(0);
    expect(rows[1]!.outputTokensPerSecond).toBeCloseTo(5 / 0.05, 9); // covered part: 100..150 ms
  });

  it('grows its series over many intervals', () => {
    const t = new Timeline({ intervalMs: 10, replicasPerPool: [1] });
    for (let i = 0; i < 1000; i++) t.observeStep(0, 0, i * 10, i * 10 + 5, step(1, 0, 0.5, 0, 1));
    const rows = t.rows();
    expect(rows).toHaveLength(1000);
    expect(rows[999]!.busyFraction).toBe(1); // covered part ends with the last step
    expect(rows[500]!.busyFraction).toBe(0.5);
    expect(rows[500]!.outputTokensPerSecond).toBe(100);
  });

  it('rejects overlapping steps of one replica and unknown replicas', () => {
    const t = new Timeline({ intervalMs: 100, replicasPerPool: [1] });
    t.observeStep(0, 0, 0, 50, step(1, 0, 0, 0, 1));
    expect(() => t.observeStep(0, 0, 40, 60, step(1, 0, 0, 0, 1))).toThrow(/previous step/);
    expect(() => t.observeStep(0, 1, 60, 70, step(1, 0, 0, 0, 1))).toThrow(/no replica/);
    expect(() => t.observeStep(1, 0, 60, 70, step(1, 0, 0, 0, 1))).toThrow(/no replica/);
    expect(() => t.observeStep(0, 0, 60, 70, step(-1, 0, 0, 0, 1))).toThrow(/>= 0/);
    expect(() => new Timeline({ intervalMs: 0, replicasPerPool: [1] })).toThrow(RangeError);
  });
});
