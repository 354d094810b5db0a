/**
 * @module Finds and loads model configs: the Hugging Face `config.json` collection shipped in
 * `data/model-configs` (files named `org--name_config.json`, with an optional sibling
 * `org--name_hf_quant_config.json`), extra directories, or a file path. Resolves loose names
 * ('Llama-3.1-70B', 'nvidia/DeepSeek-R1-NVFP4') to the closest base config.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidInputError, NoSuchEntryError, closestMatches } from '../core/errors.js';
import type { ModelSpec } from '../core/catalogue/model-spec.js';
import { parseModelConfig } from '../core/catalogue/parse-model-config.js';

const CONFIG_SUFFIX = '_config.json';
const QUANT_SUFFIX = '_hf_quant_config.json';

/** Parsed specs by absolute file path: the files are read once per process. */
const specCache = new Map<string, ModelSpec>();

/**
 * Replaces the bare NaN / Infinity / -Infinity tokens Python's json.dump writes (Nemotron-H's
 * time_step_limit) with JSON numbers or null, leaving strings alone. Infinity becomes the
 * same-length `1e999` (which JSON.parse reads as Infinity) so error positions stay true.
 */
function acceptPythonJson(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith('-Infinity', i)) {
      out += '-1e999   ';
      i += 9;
    } else if (text.startsWith('Infinity', i)) {
      out += '1e999   ';
      i += 8;
    } else if (text.startsWith('NaN', i)) {
      out += 'null';
      i += 3;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}

/** Offset of the first JSON syntax error in `text` (Node 20's JSON.parse messages carry no position). */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const value = (): void => {
    ws();
    const ch = text[i];
    if (ch === '{') {
      i++;
      ws();
      if (text[i] === '}') return void i++;
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return void i++;
        else fail();
      }
    } else if (ch === '[') {
      i++;
      ws();
      if (text[i] === ']') return void i++;
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return void i++;
        else fail();
      }
    } else if (ch === '"') {
      string();
    } else {
      const m = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
      if (!m) fail();
      i += m![0].length;
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i]! < ' ') fail();
      i += text[i] === '\\' ? 2 : 1;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value();
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === 'number' ? Math.min(at, text.length) : -1;
  }
}

/** Reads and parses a JSON file; syntax errors become InvalidInputError with the file, line and column. */
function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InvalidInputError(`cannot read the file: ${(e as Error).message}`, path);
  }
  const accepted = acceptPythonJson(text);
  try {
    return JSON.parse(accepted);
  } catch (e) {
    const at = jsonErrorOffset(accepted);
    const before = text.slice(0, Math.max(0, at));
    const line = before.split('\n').length;
    const column = at - before.lastIndexOf('\n');
    const where = at >= 0 ? `invalid JSON at line ${line}, column ${column} (position ${at})` : 'invalid JSON';
    throw new InvalidInputError(`${where}: ${(e as Error).message}`, path);
  }
}

/** `dir/org--name_config.json` -> `dir/org--name_hf_quant_config.json`; `dir/config.json` -> `dir/hf_quant_config.json`. */
function quantConfigPathFor(path: string): string {
  const name = basename(path);
  const quantName = name === 'config.json' ? 'hf_quant_config.json' : name.replace(/_config\.json$/, QUANT_SUFFIX);
  return join(dirname(path), quantName);
}

/** `org--name_config.json` -> `org/name`; a HF snapshot's `config.json` -> its folder name; else the file name. */
function idForFile(path: string): string {
  const name = basename(path);
  if (name === 'config.json') return basename(dirname(resolve(path)));
  const stem = name.endsWith(CONFIG_SUFFIX) ? name.slice(0, -CONFIG_SUFFIX.length) : name.replace(/\.json$/, '');
  const sep = stem.indexOf('--');
  return sep > 0 ? `${stem.slice(0, sep)}/${stem.slice(sep + 2)}` : stem;
}

/** Loads one config.json (with its sibling hf_quant_config.json when present) into a ModelSpec. */
export function loadModelConfigFile(path: string, id: string = idForFile(path)): ModelSpec {
  const abs = resolve(path);
  const cached = specCache.get(abs);
  if (cached) return cached.id === id ? cached : { ...cached, id };
  const json = readJson(abs);
  const quantPath = quantConfigPathFor(abs);
  const quantConfig = quantPath !== abs && existsSync(quantPath) ? readJson(quantPath) : undefined;
  const spec = parseModelConfig(json, id, { where: path, ...(quantConfig !== undefined && { quantConfig }) });
  specCache.set(abs, spec);
  return spec;
}

/** Index of the `org--name_config.json` files of `dir` by id `org/name` (hf_quant configs excluded). */
export function loadModelConfigDir(dir: string): Map<string, { file: string }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InvalidInputError('expected a directory of org--name_config.json files', dir);
  }
  const index = new Map<string, { file: string }>();
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(CONFIG_SUFFIX) || name.endsWith(QUANT_SUFFIX) || !name.includes('--')) continue;
    index.set(idForFile(name), { file: join(dir, name) });
  }
  return index;
}

/** The package's own `data/model-configs`, found from this module's location (src/ under tsx/vitest, dist/ when built). */
export function builtinModelDirs(): string[] {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return [join(dir, 'data', 'model-configs')];
    const parent = dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}

/** The shipped model configs, sorted by id. */
export function listBuiltinModels(): { id: string; file: string }[] {
  return builtinModelDirs()
    .filter((d) => existsSync(d))
    .flatMap((d) => [...loadModelConfigDir(d)].map(([id, { file }]) => ({ id, file })))
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Variant suffixes that do not change the architecture (checked case-insensitively, repeatedly). */
const VARIANT_SUFFIXES = ['-static-pertensor', '-instruct', '-thinking', '-chat', '-base', '-nvfp4', '-mxfp4', '-fp8', '-fp4', '-bf16', '-it', '-hf'];

/** A name without organisation, case, variant suffixes or a leading 'Meta-'; with the number of suffixes removed. */
function normalise(name: string): { key: string; suffixes: number } {
  let key = name.slice(name.lastIndexOf('/') + 1).toLowerCase().replace(/_/g, '.');
  if (key.startsWith('meta-')) key = key.slice(5);
  let suffixes = 0;
  for (let again = true; again; ) {
    again = false;
    for (const s of VARIANT_SUFFIXES) {
      if (key.endsWith(s) && key.length > s.length) {
        key = key.slice(0, -s.length);
        suffixes++;
        again = true;
      }
    }
  }
  return { key, suffixes };
}

export interface ResolvedModel {
  readonly spec: ModelSpec;
  readonly file: string;
  readonly matchedBy: 'path' | 'exact' | 'normalised';
  /** Id of the config used (`org/name`), which may differ from the name asked for. */
  readonly id: string;
}

/**
 * Finds a model config: an existing file (or a folder holding config.json) is loaded directly;
 * an `org/name` id matches `org--name_config.json` in `extraDirs`, then the built-in
 * collection (case-insensitive); otherwise names are compared without organisation, case and
 * variant suffixes (-Instruct, -FP8, -NVFP4, ...), preferring the plain base config.
 * Throws NoSuchEntryError listing the closest ids.
 */
export function resolveModel(nameOrPath: string, extraDirs: readonly string[] = []): ResolvedModel {
  if (existsSync(nameOrPath)) {
    const file = statSync(nameOrPath).isDirectory() ? join(nameOrPath, 'config.json') : nameOrPath;
    const spec = loadModelConfigFile(file);
    return { spec, file, matchedBy: 'path', id: spec.id };
  }
  const entries: { id: string; file: string; order: number }[] = [];
  [...extraDirs, ...builtinModelDirs().filter((d) => existsSync(d))].forEach((dir, order) => {
    for (const [id, { file }] of loadModelConfigDir(dir)) entries.push({ id, file, order });
  });
  const found = (e: { id: string; file: string }, matchedBy: ResolvedModel['matchedBy']): ResolvedModel => ({
    spec: loadModelConfigFile(e.file, e.id),
    file: e.file,
    matchedBy,
    id: e.id,
  });

  const wanted = nameOrPath.trim().toLowerCase();
  const exact = entries.find((e) => e.id.toLowerCase() === wanted);
  if (exact) return found(exact, 'exact');

  // The same name under another organisation (a mirror or a re-upload).
  const wantedName = wanted.slice(wanted.lastIndexOf('/') + 1);
  const sameName = entries.find((e) => e.id.toLowerCase().slice(e.id.lastIndexOf('/') + 1) === wantedName);
  if (sameName) return found(sameName, 'normalised');

  const { key } = normalise(nameOrPath);
  const wantedOrg = wanted.includes('/') ? wanted.slice(0, wanted.indexOf('/')) : undefined;
  const candidates = entries
    .map((e) => ({ e, n: normalise(e.id) }))
    .filter((x) => x.n.key === key)
    .sort(
      (a, b) =>
        a.n.suffixes - b.n.suffixes ||
        Number(orgOf(b.e.id) === wantedOrg) - Number(orgOf(a.e.id) === wantedOrg) ||
        a.e.order - b.e.order ||
        a.e.id.localeCompare(b.e.id),
    );
  const best = candidates[0];
  if (best) return found(best.e, 'normalised');
  throw new NoSuchEntryError('model', nameOrPath, closestMatches(nameOrPath, [...new Set(entries.map((e) => e.id))]));
}

function orgOf(id: string): string {
  return id.slice(0, Math.max(0, id.indexOf('/'))).toLowerCase();
}
