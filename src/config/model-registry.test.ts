import { mkdtempSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { InvalidInputError, NoSuchEntryError } from '../core/errors.js';
import { parameterBreakdown } from '../core/catalogue/model-size.js';
import { builtinModelDirs, listBuiltinModels, loadModelConfigDir, loadModelConfigFile, resolveModel } from './model-registry.js';

const tmp = mkdtempSync(join(tmpdir(), 'tokenfleet-models-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const tiny = { model_type: 'llama', hidden_size: 64, num_hidden_layers: 2, num_attention_heads: 4, vocab_size: 100, intermediate_size: 128, max_position_embeddings: 512 };

describe('built-in collection', () => {
  it('is found from the module location', () => {
    const [dir] = builtinModelDirs();
    expect(dir).toMatch(/data[/\\]model-configs$/);
    expect(readdirSync(dir!)).toContain('LICENSE-aiconfigurator-Apache-2.0');
  });

  it('lists org/name ids without the hf_quant configs', () => {
    const models = listBuiltinModels();
    expect(models.length).toBeGreaterThan(70);
    const ids = models.map((m) => m.id);
    expect(ids).toContain('deepseek-ai/DeepSeek-R1');
    expect(ids).toContain('nvidia/Llama-3_3-Nemotron-Super-49B-v1');
    expect(ids.some((id) => id.includes('hf_quant'))).toBe(false);
  });

  it('parses every shipped config, with positive total and active params and active <= total', () => {
    const failures: string[] = [];
    for (const { id, file } of listBuiltinModels()) {
      try {
        const p = parameterBreakdown(loadModelConfigFile(file, id));
        if (!(p.totalParams > 0 && p.activeParams > 0 && p.activeParams <= p.totalParams)) failures.push(`${id}: total ${p.totalParams}, active ${p.activeParams}`);
      } catch (e) {
        failures.push(`${id}: ${(e as Error).message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it('applies a sibling hf_quant_config.json', () => {
    const r = resolveModel('nvidia/Llama-3.1-70B-Instruct-FP8');
    expect(r.spec.declaredWeightPrecision).toBe('fp8');
    expect(r.spec.declaredKvCachePrecision).toBe('fp8');
    expect(resolveModel('nvidia/DeepSeek-V3.1-NVFP4').spec.declaredWeightPrecision).toBe('fp4');
  });

  it('reads configs written with Python bare Infinity (Nemotron-H)', () => {
    expect(resolveModel('nvidia/Nemotron-H-56B-Base-8K').spec.linearStateElementsPerLayer).toBeGreaterThan(0);
  });
});

describe('resolveModel', () => {
  it('matches an id exactly, case-insensitively', () => {
    const r = resolveModel('deepseek-ai/deepseek-r1');
    expect(r).toMatchObject({ matchedBy: 'exact', id: 'deepseek-ai/DeepSeek-R1' });
    expect(basename(r.file)).toBe('deepseek-ai--DeepSeek-R1_config.json');
    expect(r.spec.id).toBe('deepseek-ai/DeepSeek-R1');
  });

  it('finds an exact quantised variant when it exists', () => {
    const r = resolveModel('Qwen/Qwen3-235B-A22B-FP8');
    expect(r.matchedBy).toBe('exact');
    expect(basename(r.file)).toBe('Qwen--Qwen3-235B-A22B-FP8_config.json');
    expect(r.spec.declaredWeightPrecision).toBe('fp8');
  });

  it("drops a leading 'Meta-' and prefers the plain base config", () => {
    const r = resolveModel('meta-llama/Llama-3.1-70B');
    expect(r.matchedBy).toBe('normalised');
    expect(basename(r.file)).toBe('meta-llama--Meta-Llama-3.1-70B_config.json');
    expect(resolveModel('Llama-3.1-70B-Instruct').id).toBe('meta-llama/Meta-Llama-3.1-70B');
  });

  it('follows organisation renames and strips quantisation suffixes', () => {
    const r = resolveModel('nvidia/DeepSeek-R1-NVFP4');
    expect(r).toMatchObject({ matchedBy: 'normalised', id: 'deepseek-ai/DeepSeek-R1' });
    expect(resolveModel('DeepSeek-R1').id).toBe('deepseek-ai/DeepSeek-R1');
  });

  it('matches the same name under another organisation before normalising', () => {
    expect(resolveModel('some-mirror/Qwen3-32B-FP8')).toMatchObject({ matchedBy: 'normalised', id: 'Qwen/Qwen3-32B-FP8' });
  });

  it('lists the closest matches for an unknown name', () => {
    let err: unknown;
    try {
      resolveModel('deepseek-ai/DeepSeek-R7');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(NoSuchEntryError);
    expect((err as NoSuchEntryError).closest).toContain('deepseek-ai/DeepSeek-R1');
    expect((err as Error).message).toMatch(/unknown model 'deepseek-ai\/DeepSeek-R7'; closest matches: .*deepseek-ai\/DeepSeek-R1/);
  });

  it('loads a file path, and a folder holding config.json', () => {
    const file = join(tmp, 'my-model.json');
    writeFileSync(file, JSON.stringify(tiny));
    expect(resolveModel(file)).toMatchObject({ matchedBy: 'path', id: 'my-model', file });
    const snapshot = join(tmp, 'Tiny-1B');
    mkdirSync(snapshot);
    writeFileSync(join(snapshot, 'config.json'), JSON.stringify(tiny));
    writeFileSync(join(snapshot, 'hf_quant_config.json'), JSON.stringify({ quantization: { quant_algo: 'NVFP4' } }));
    const r = resolveModel(snapshot);
    expect(r).toMatchObject({ matchedBy: 'path', id: 'Tiny-1B' });
    expect(r.spec.declaredWeightPrecision).toBe('fp4');
  });

  it('looks in extra directories before the built-in collection', () => {
    const dir = join(tmp, 'extra');
    mkdirSync(dir);
    writeFileSync(join(dir, 'deepseek-ai--DeepSeek-R1_config.json'), JSON.stringify(tiny));
    writeFileSync(join(dir, 'acme--Widget-7B_config.json'), JSON.stringify(tiny));
    expect([...loadModelConfigDir(dir).keys()]).toEqual(['acme/Widget-7B', 'deepseek-ai/DeepSeek-R1']);
    expect(resolveModel('deepseek-ai/DeepSeek-R1', [dir]).spec.hiddenSize).toBe(64);
    expect(resolveModel('acme/widget-7b', [dir])).toMatchObject({ matchedBy: 'exact', id: 'acme/Widget-7B' });
    expect(resolveModel('Widget-7B-Instruct', [dir]).id).toBe('acme/Widget-7B');
  });
});

describe('errors', () => {
  it('reports invalid JSON with the file and position', () => {
    const file = join(tmp, 'broken_config.json');
    writeFileSync(file, '{\n  "hidden_size": 64,\n  "vocab_size": ,\n}');
    let err: unknown;
    try {
      loadModelConfigFile(file);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toContain(file);
    expect((err as Error).message).toMatch(/invalid JSON at line 3, column 17/);
  });

  it('names the file and field of a malformed config', () => {
    const file = join(tmp, 'bad_config.json');
    writeFileSync(file, JSON.stringify({ ...tiny, num_attention_heads: -4 }));
    expect(() => loadModelConfigFile(file)).toThrow(`${file}: num_attention_heads: expected a positive integer, got -4`);
  });

  it('rejects a missing model directory', () => {
    expect(() => loadModelConfigDir(join(tmp, 'nope'))).toThrow(InvalidInputError);
  });
});
