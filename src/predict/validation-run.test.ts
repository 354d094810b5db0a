import { describe, expect, it } from 'vitest';
import { HELD_OUT_MODELS, splitOf } from './holdout.js';
import type { RowPrediction } from './predict-rows.js';
import { parseSiliconCsv } from './silicon-row.js';
import { validationMarkdown } from './validation-markdown.js';
import { summariseValidation } from './validation-run.js';

const header = 'id,backend,model_path,system,mode,isl,osl,batch_size,silicon_ttft_ms,silicon_tpot_ms';
const heldOutModel = HELD_OUT_MODELS[0]!;

describe('summariseValidation', () => {
  // Two held-out agg rows (a held-out model), one held-out disagg row and one training row, found by the split rule.
  const trainId = Array.from({ length: 50 }, (_, i) => `t${i}`).find((id) => splitOf({ id, modelPath: 'm/x' }) === 'train')!;
  const heldRowId = Array.from({ length: 50 }, (_, i) => `h${i}`).find((id) => splitOf({ id, modelPath: 'm/x' }) === 'holdout-row')!;
  const rows = parseSiliconCsv(
    [
      header,
      `a1,vllm,${heldOutModel},h200_sxm,agg,1024,128,8,100,10`,
      `a2,vllm,${heldOutModel},h200_sxm,agg,2048,128,8,200,20`,
      `${heldRowId},trtllm,m/x,b200_sxm,disagg,1024,1024,8,100,10`,
      `${trainId},trtllm,m/x,b200_sxm,agg,1024,1024,8,100,10`,
      // An exact repeat of a1's measurement under another id: scored once.
      `a3,vllm,${heldOutModel},h200_sxm,agg,1024,128,8,100,10`,
    ].join('\n') + '\n',
    'rows.csv',
  );
  const pred = (id: string, ttftMs: number, tpotMs: number): RowPrediction => ({ id, ttftMs, tpotMs, error: '' });
  const preds = [pred('a1', 110, 10), pred('a2', 200, 22), pred(heldRowId, 150, 15), pred(trainId, 100, 10), pred('a3', 110, 10)];

  it('splits the held-out errors by mode, without the training rows or exact repeats', () => {
    const v = summariseValidation(rows, preds);
    expect(v.uniqueRows).toBe(4);
    expect(v.heldOut.rows).toBe(3);
    const agg = v.heldOutByMode.find((g) => g.group === 'agg')!.summary;
    const disagg = v.heldOutByMode.find((g) => g.group === 'disagg')!.summary;
    expect(agg.rows).toBe(2);
    expect(disagg.rows).toBe(1);
    // agg TTFT errors 10% and 0%: median 5%; TPOT 0% and 10%.
    expect(agg.ttftMedianApe).toBeCloseTo(5);
    expect(agg.tpotMedianApe).toBeCloseTo(5);
    expect(disagg.ttftMedianApe).toBeCloseTo(50);
    expect(validationMarkdown(v)).toMatch(/\| held out, disagg \| 1 \| 100\.0% \| 50\.0% \|/);
  });
});
