/**
 * @module Catalogue: accelerators and models with their numbers and sources
 * (estimates visibly marked), and the roofline of a model on an accelerator.
 */
import { errorText, getJson } from '../api.js';
import type { AcceleratorRecord, Fact, ModelRecord, Roofline } from '../api-types.js';
import { draw, figure } from '../charts/chart-theme.js';
import { rooflineChart } from '../charts/roofline-chart.js';
import { field, h, replace, table } from '../dom.js';
import { bytes, compact, integer } from '../format.js';
import type { View } from '../view.js';

const MARK: Record<string, string> = { datasheet: '', reported: '~', estimate: '≈', assumption: '?', unknown: '' };

/** A fact as a table cell: the value with its confidence mark, the source on hover and for screen readers. */
function factCell(f: Fact<number | string> | undefined, show: (v: number) => string): HTMLElement | string {
  if (f === undefined) return '–';
  const text = f.value === null ? 'unknown' : typeof f.value === 'number' ? show(f.value) : f.value;
  const mark = MARK[f.confidence] ?? '';
  const about = `${f.confidence}: ${f.source}${f.note ? ` (${f.note})` : ''}`;
  return h('span', { class: `conf-${f.confidence}`, title: about }, `${mark}${text}`, h('span', { class: 'sr-only' }, ` (${f.confidence})`));
}

const tflops = (v: number) => integer(v / 1e12);

function acceleratorTable(accs: readonly AcceleratorRecord[], onSelect: (a: AcceleratorRecord) => void): HTMLElement {
  return table(
    `${accs.length} accelerators (dense peaks); hover a number for its source, or choose a name for all of them`,
    ['Accelerator', 'Vendor', 'Memory', 'Bandwidth (TB/s)', 'BF16 (TFLOPS)', 'FP8 (TFLOPS)', 'INT8 (TOPS)', 'FP4 (TFLOPS)', 'TDP (W)', 'Price (USD)', 'Available'],
    accs.map((a) => [
      h('button', { type: 'button', class: 'link-button', title: `${a.id}: every number with its source`, onclick: () => onSelect(a) }, a.name),
      a.vendor,
      factCell(a.memoryBytes, bytes),
      factCell(a.memoryBandwidthBytesPerSecond, (v) => (v / 1e12).toFixed(2)),
      factCell(a.peakFlopsPerSecond['bf16'], tflops),
      factCell(a.peakFlopsPerSecond['fp8'], tflops),
      factCell(a.peakFlopsPerSecond['int8'], tflops),
      factCell(a.peakFlopsPerSecond['fp4'], tflops),
      factCell(a.tdpWatts, integer),
      factCell(a.priceUsd, (v) => `$${integer(v)}`),
      factCell(a.availableFrom, String),
    ]),
    [2, 3, 4, 5, 6, 7, 8, 9],
    true,
  );
}

/** Every fact of one accelerator with its confidence, source and note. */
function sourcesPanel(a: AcceleratorRecord): HTMLElement {
  const facts: [string, Fact<number | string> | undefined, (v: number) => string][] = [
    ['Memory', a.memoryBytes, bytes],
    ['Memory type', a.memoryType, String],
    ['Memory bandwidth', a.memoryBandwidthBytesPerSecond, (v) => `${bytes(v)}/s`],
    ...Object.entries(a.peakFlopsPerSecond).map(([p, f]) => [`${p.toUpperCase()} dense peak`, f, (v: number) => `${compact(v)}FLOP/s`] as [string, Fact, (v: number) => string]),
    ['Scale-up link', a.scaleUp?.name, String],
    ['Scale-up bandwidth', a.scaleUp?.bandwidthBytesPerSecond, (v) => `${bytes(v)}/s`],
    ['Scale-up domain', a.scaleUp?.domainSize, (v) => `${v} chips`],
    ['Scale-out link', a.scaleOut?.name, String],
    ['Scale-out bandwidth', a.scaleOut?.bandwidthBytesPerSecond, (v) => `${bytes(v)}/s`],
    ['TDP', a.tdpWatts, (v) => `${integer(v)} W`],
    ['Price', a.priceUsd, (v) => `$${integer(v)}`],
    ['Available from', a.availableFrom, String],
  ];
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'acc-sources-title' },
    h('h3', { id: 'acc-sources-title', tabindex: -1 }, `${a.name}: every number with its source`),
    table(
      `Facts of ${a.id}`,
      ['Fact', 'Value', 'Confidence', 'Source', 'Note'],
      facts.filter(([, f]) => f !== undefined).map(([label, f, show]) => [label, factCell(f, show), f!.confidence, f!.source, f!.note ?? '']),
    ),
    a.exportStatus ? h('p', {}, h('strong', {}, 'Export and import status: '), a.exportStatus) : null,
  );
}

function modelTable(models: readonly ModelRecord[], filter: string): HTMLElement {
  const shown = models.filter((m) => m.id.toLowerCase().includes(filter.toLowerCase()));
  return table(
    `Models (${shown.length} of ${models.length})`,
    ['Model', 'Type', 'Attention', 'Mixture of experts', 'Layers', 'Parameters, total', 'Parameters, active per token', 'Weights at BF16', 'Weights at FP8', 'KV cache per token (BF16)'],
    shown.map((m) => [
      m.id,
      m.modelType ?? '–',
      m.attention ?? '–',
      m.moe ?? 'dense',
      m.layers ?? '–',
      compact(m.totalParams),
      compact(m.activeParams),
      m.weightBytesBf16 === undefined ? '–' : bytes(m.weightBytesBf16),
      m.weightBytesFp8 === undefined ? '–' : bytes(m.weightBytesFp8),
      m.kvBytesPerTokenBf16 === undefined ? '–' : bytes(m.kvBytesPerTokenBf16),
    ]),
    [4, 5, 6, 7, 8, 9],
    true,
  );
}

const asList = <T>(json: unknown, key: string): T[] => (Array.isArray(json) ? (json as T[]) : (((json as Record<string, unknown>)[key] as T[] | undefined) ?? []));

export const catalogueView: View = {
  route: 'catalogue',
  title: 'Catalogue',
  mount(root) {
    const accOut = h('div', {}, h('p', { class: 'empty' }, 'Loading accelerators…'));
    const sources = h('div', {});
    const modelOut = h('div', {}, h('p', { class: 'empty' }, 'Loading models…'));
    const rooflineForm = h('div', {});
    const roof = figure('roofline', 'Roofline', 'Log-log. The dark line is the roof: memory bandwidth × intensity up to the ridge, then peak compute. Dots: the predicted compute of decode steps (batch 1 to 256) and prefill chunks, from the calibrated step-time model.');
    const roofStatus = h('div', { role: 'status', 'aria-live': 'polite' });
    const filter = h('input', { type: 'search', id: 'model-filter', placeholder: 'e.g. qwen' });
    replace(
      root,
      h('h1', {}, 'Catalogue'),
      h('p', { class: 'lede' }, 'The accelerators and models the performance model knows, every number with its source and how sure it is. Marks: ~ reported, ≈ estimate, ? assumption; no mark: datasheet. Estimates and assumptions are shaded.'),
      h('h2', {}, 'Accelerators'),
      accOut,
      sources,
      h('h2', {}, 'Models'),
      field('Filter models', filter),
      modelOut,
      h('h2', {}, 'Roofline of a model on an accelerator'),
      rooflineForm,
      roofStatus,
      roof.figure,
    );
    let models: ModelRecord[] = [];
    filter.addEventListener('input', () => replace(modelOut, modelTable(models, filter.value)));
    const showSources = (a: AcceleratorRecord) => {
      replace(sources, sourcesPanel(a));
      (sources.querySelector('h3') as HTMLElement | null)?.focus();
    };

    const loadRoofline = async (q: URLSearchParams) => {
      replace(roofStatus, h('p', {}, 'Computing the roofline…'));
      try {
        const r = await getJson<Roofline>(`/api/catalogue/roofline?${q.toString()}`);
        replace(roofStatus);
        roof.figure.querySelector('h3')!.textContent = `Roofline: ${r.model} on ${r.accelerator} at ${r.precision}, tensor parallel ${r.tp}`;
        draw(roof.body, (w) => rooflineChart(r, w));
      } catch (err) {
        replace(roofStatus, h('p', { class: 'error' }, `No roofline: ${errorText(err)}`));
        roof.body.replaceChildren();
      }
    };

    void Promise.all([getJson<unknown>('/api/catalogue/accelerators'), getJson<unknown>('/api/catalogue/models')]).then(
      ([accJson, modelJson]) => {
        const accs = asList<AcceleratorRecord>(accJson, 'accelerators');
        models = asList<ModelRecord>(modelJson, 'models');
        replace(accOut, acceleratorTable(accs, showSources));
        replace(modelOut, modelTable(models, filter.value));
        const model = h('select', { id: 'roof-model' }, models.map((m) => h('option', { value: m.id, selected: /Llama-3\.1-8B$/.test(m.id) }, m.id)));
        const acc = h('select', { id: 'roof-accelerator' }, accs.map((a) => h('option', { value: a.id, selected: a.id === 'h200-sxm' }, `${a.name} (${a.vendor})`)));
        const precision = h('select', { id: 'roof-precision' }, ['bf16', 'fp8', 'int8', 'fp4'].map((p) => h('option', { value: p, selected: p === 'fp8' }, p)));
        const tp = h('input', { type: 'number', id: 'roof-tp', min: 1, step: 1, value: 1 });
        const query = () => new URLSearchParams({ model: model.value, accelerator: acc.value, precision: precision.value, tp: tp.value });
        replace(
          rooflineForm,
          h(
            'form',
            { class: 'panel form-row', 'aria-label': 'Roofline inputs', onsubmit: (e: Event) => (e.preventDefault(), void loadRoofline(query())) },
            field('Model', model),
            field('Accelerator', acc),
            field('Precision', precision),
            field('Tensor parallel', tp),
            h('button', { type: 'submit' }, 'Draw the roofline'),
          ),
        );
        void loadRoofline(query());
      },
      (err: unknown) => replace(accOut, h('p', { class: 'error' }, `The catalogue is unavailable: ${errorText(err)}`)),
    );
    return () => undefined;
  },
};
