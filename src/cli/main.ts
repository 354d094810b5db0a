#!/usr/bin/env node
/**
 * @module The CLI entry point: builds the command tree, renders every error
 * once, and is the only place that exits the process. Command modules load
 * lazily so that `--help` is instant.
 */
import { Command, CommanderError, Option } from 'commander';
import { TokenfleetError } from '../core/errors.js';

const program = new Command();
program
  .name('tokenfleet')
  .description('Plan, simulate and serve LLM tokens on a fleet of mixed accelerators')
  .version('0.1.0')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const catalog = program.command('catalog').description('list accelerators, models and engines with their sources');
catalog
  .command('accelerators')
  .description('list accelerators')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  $ tokenfleet catalog accelerators\n  $ tokenfleet catalog accelerators --json')
  .action(async (opts) => (await import('./commands/catalog.js')).listAcceleratorsCommand(opts));
catalog
  .command('accelerator <id>')
  .description('show one accelerator in full, every number with its source and confidence')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  $ tokenfleet catalog accelerator h20')
  .action(async (id, opts) => (await import('./commands/catalog.js')).showAcceleratorCommand(id, opts));
catalog
  .command('models')
  .description('list the built-in models (or those of --model-configs DIR) with derived sizes')
  .option('--model-configs <dir>', 'a directory of org--name_config.json files')
  .option('--json', 'machine-readable output')
  .action(async (opts) => (await import('./commands/catalog.js')).listModelsCommand(opts));
catalog
  .command('model <id>')
  .description('show one model: architecture, parameters, KV bytes per token')
  .option('--json', 'machine-readable output')
  .action(async (id, opts) => (await import('./commands/catalog.js')).showModelCommand(id, opts));
catalog
  .command('engines')
  .description('list serving engines, their features, defaults and calibration status')
  .option('--json', 'machine-readable output')
  .action(async (opts) => (await import('./commands/catalog.js')).listEnginesCommand(opts));

program
  .command('estimate')
  .description('steady state of a closed-loop benchmark of one model on one accelerator configuration')
  .requiredOption('--model <id|config.json>', 'model id (e.g. meta-llama/Llama-3.1-70B) or a config.json path')
  .requiredOption('--accelerator <id>', 'accelerator id (e.g. h200-sxm, h20, ascend-910c)')
  .option('--tp <n>', 'tensor parallelism', '1')
  .option('--pp <n>', 'pipeline parallelism', '1')
  .option('--ep <n>', 'expert parallelism (default: tp x dp for MoE models)')
  .option('--dp <n>', 'attention data parallelism', '1')
  .addOption(new Option('--precision <p>', 'weight precision (default: the model config, else bf16)').choices(['bf16', 'fp16', 'fp8', 'int8', 'fp4', 'int4']))
  .addOption(new Option('--kv-precision <p>', 'KV cache precision').choices(['bf16', 'fp16', 'fp8', 'int8', 'fp4']))
  .addOption(new Option('--engine <id>', 'serving engine').choices(['vllm', 'sglang', 'trtllm', 'mindie', 'generic']).default('vllm'))
  .requiredOption('--isl <n>', 'input tokens per request')
  .requiredOption('--osl <n>', 'output tokens per request')
  .requiredOption('--concurrency <n>', 'concurrent clients')
  .option('--memory-utilization <fraction>', "fraction of device memory the engine may use, above 0 and at most 1 (vLLM --gpu-memory-utilization, SGLang --mem-fraction-static; default: the engine's, e.g. vLLM 0.9)")
  .option('--max-batched-tokens <n>', "token budget of one iteration per rank, prompt chunks and decode tokens together (vLLM --max-num-batched-tokens, SGLang --chunked-prefill-size, TensorRT-LLM max_num_tokens; default: the engine's)")
  .option('--speculative-tokens <k>', 'speculative decoding: tokens a one-layer drafter (MTP, EAGLE) proposes per step, 1-8')
  .option('--acceptance-rate <a>', 'speculative decoding: probability that a drafted token is accepted, 0 to below 1 (default 0.7, an assumption)')
  .option('--stream-interval <n>', 'the server returns tokens every n iterations, the first one included (TensorRT-LLM stream_interval; default 1)')
  .option('--prefill-tp <n>', 'disaggregated serving: TP of each prefill worker (any --prefill-*/--decode-* option turns it on; unset sizes default to --tp/--dp/--ep)')
  .option('--prefill-dp <n>', 'disaggregated serving: attention DP of each prefill worker')
  .option('--prefill-ep <n>', 'disaggregated serving: expert parallelism of each prefill worker')
  .option('--prefill-workers <n>', 'disaggregated serving: prefill workers (default: enough to keep up with the decode side)')
  .option('--decode-tp <n>', 'disaggregated serving: TP of each decode worker')
  .option('--decode-dp <n>', 'disaggregated serving: attention DP of each decode worker')
  .option('--decode-ep <n>', 'disaggregated serving: expert parallelism of each decode worker')
  .option('--decode-workers <n>', 'disaggregated serving: decode workers (default: enough to hold every sequence, at most 128 running per decode rank)')
  .option('--model-configs <dir...>', 'extra directories of org--name_config.json files')
  .option('--json', 'machine-readable output')
  .addHelpText(
    'after',
    '\nExamples:\n  $ tokenfleet estimate --model deepseek-ai/DeepSeek-R1 --accelerator h200-sxm --engine sglang --prefill-tp 8 --decode-tp 1 --decode-dp 16 --isl 4000 --osl 1000 --concurrency 256\n  $ tokenfleet estimate --model meta-llama/Llama-3.1-70B --accelerator h200-sxm --tp 4 --precision fp8 --isl 1024 --osl 1024 --concurrency 32\n  $ tokenfleet estimate --model deepseek-ai/DeepSeek-R1 --accelerator ascend-910c --tp 16 --engine mindie --isl 2048 --osl 512 --concurrency 64 --json\n  $ tokenfleet estimate --model deepseek-ai/DeepSeek-R1 --accelerator h20 --tp 8 --isl 2000 --osl 500 --concurrency 64 --memory-utilization 0.95\n  $ tokenfleet estimate --model deepseek-ai/DeepSeek-V3 --accelerator h200-sxm --tp 8 --engine sglang --isl 2000 --osl 500 --concurrency 16 --speculative-tokens 1 --acceptance-rate 0.8',
  )
  .action(async (opts) => (await import('./commands/estimate.js')).estimateCommand(opts));

program
  .command('search')
  .description('the best serving configuration (layout, concurrency) of one model on one or more accelerators and engines at a TTFT and TPOT target')
  .requiredOption('--model <id|config.json>', 'model id (e.g. deepseek-ai/DeepSeek-R1) or a config.json path')
  .requiredOption('--accelerator <ids>', 'comma-separated accelerator ids (e.g. h20,h200-sxm,ascend-910c,inhouse-h20class)')
  .option('--engine <ids>', 'comma-separated engines (vllm, sglang, trtllm, mindie, generic; default: every engine each accelerator runs, with --speculative-tokens those that have speculative decoding)')
  .requiredOption('--isl <n>', 'input tokens per request')
  .requiredOption('--osl <n>', 'output tokens per request')
  .requiredOption('--slo-ttft-ms <ms>', 'TTFT target (mean), ms')
  .requiredOption('--slo-tpot-ms <ms>', 'TPOT target (mean), ms')
  .option('--prefix-hit-rate <x>', 'share of prompt tokens served from the prefix cache, 0 to 0.99 (default 0)')
  .option('--speculative-tokens <k>', 'speculative decoding: tokens a one-layer drafter (MTP, EAGLE) proposes per step, 1-8')
  .option('--acceptance-rate <a>', 'speculative decoding: probability that a drafted token is accepted, 0 to below 1 (default 0.7, an assumption)')
  .option('--memory-utilization <fraction>', "fraction of device memory the engine may use, above 0 and at most 1 (default: the engine's, e.g. vLLM 0.9)")
  .option('--layouts', 'also show every layout tried under each accelerator and engine: its best concurrency and tokens/s per chip at the SLO, or why it has none')
  .option('--disagg', 'also search disaggregated prefill/decode deployments (engines that have them; worker counts inferred) and rank them with the aggregated ones')
  .option('--model-configs <dir...>', 'extra directories of org--name_config.json files')
  .option('--json', 'machine-readable output')
  .addHelpText(
    'after',
    '\nEvery valid parallel layout (TP, attention DP, EP; the narrowest native precision) is searched over concurrency per replica with\nclosed-loop estimates; the table ranks (accelerator, engine) pairs by input+output tokens/s per chip at the SLO, best first.\nSearching every engine takes well under a second per pair, so every engine an accelerator runs is searched unless --engine says otherwise.\nWith --disagg, each engine with prefill/decode disaggregation also gets a disaggregated row: the best pair among its 3 best prefill and 4 best\ndecode layouts, worker counts inferred, chips counting every worker of both sides.\n\nExamples:\n  $ tokenfleet search --model deepseek-ai/DeepSeek-R1 --accelerator h20,h200-sxm --isl 2000 --osl 500 --slo-ttft-ms 2000 --slo-tpot-ms 50\n  $ tokenfleet search --model meta-llama/Llama-3.1-70B --accelerator h20,h200-sxm,ascend-910c,inhouse-h20class --engine vllm,mindie --isl 2048 --osl 512 --slo-ttft-ms 1000 --slo-tpot-ms 40 --layouts\n  $ tokenfleet search --model deepseek-ai/DeepSeek-V3 --accelerator h200-sxm --engine sglang --isl 2000 --osl 500 --slo-ttft-ms 2000 --slo-tpot-ms 30 --speculative-tokens 1 --acceptance-rate 0.8 --json\n  $ tokenfleet search --model deepseek-ai/DeepSeek-R1 --accelerator h200-sxm --engine sglang,vllm --isl 2000 --osl 500 --slo-ttft-ms 2000 --slo-tpot-ms 50 --disagg',
  )
  .action(async (opts) => (await import('./commands/search.js')).searchCommand(opts));

program
  .command('predict <input.csv>')
  .description("predict TTFT and TPOT for each row of a CSV in AIConfigurator's silicon-sample format")
  .option('--model-configs <dir...>', 'directories of org--name_config.json files (searched before the built-in set)')
  .option('--out <file>', 'write id,ttft_ms,tpot_ms,error here (default: standard output)')
  .option('--quiet', 'no progress bar or summary')
  .addHelpText('after', '\nExample:\n  $ tokenfleet predict ../shared/data/validation/silicon-measurements.csv --out predictions.csv')
  .action(async (file, opts) => (await import('./commands/predict.js')).predictCommand(file, opts));

program
  .command('validate')
  .description('predict the measurements and report the errors (npm run validate)')
  .option('--measurements <file>', 'silicon-sample CSV with measured columns', '../shared/data/validation/silicon-measurements.csv')
  .option('--published <file>', 'published results CSV', '../shared/data/validation/published-results.csv')
  .option('--report <file>', 'also write the report as Markdown')
  .option('--json', 'machine-readable output')
  .action(async (opts) => (await import('./commands/validate.js')).validateCommand(opts));

program
  .command('calibrate')
  .description('refit the efficiency factors on the measurements (npm run calibrate)')
  .option('--measurements <file>', 'silicon-sample CSV with measured columns', '../shared/data/validation/silicon-measurements.csv')
  .option('--out <file>', 'generated TypeScript module', 'src/core/perf/calibration-data.ts')
  .option('--max-rows <n>', 'training rows per (family, engine) group', '120')
  .option('--groups <list>', 'refit only these comma-separated groups: family/engine for aggregated rows (e.g. hopper/vllm), family/engine/disagg for disaggregated ones; keep the others as committed')
  .addOption(new Option('--start <from>', 'where each group\'s search starts: the documented CUDA prior (reproducible from scratch) or the committed fit (a refinement: its training loss can only fall)').choices(['prior', 'committed']).default('prior'))
  .action(async (opts) => (await import('./commands/calibrate.js')).calibrateCommand(opts));

program
  .command('simulate [scenario.yaml]')
  .description('replay a trace (or a synthetic Poisson load) on a pool of replicas, or a scenario file of mixed and disaggregated pools: latency, throughput, SLOs, cost')
  .option('--trace <file>', 'request trace: Azure CSV, Mooncake JSONL, Vidur CSV or generic JSONL')
  .addOption(new Option('--format <name>', 'trace format (default: detected)').choices(['azure', 'mooncake', 'vidur', 'jsonl']))
  .option('--rate <rps>', 'synthetic Poisson arrivals instead of a trace, requests per second')
  .option('--requests <n>', 'synthetic requests (default 10000)')
  .option('--isl <n>', 'synthetic prompt tokens')
  .option('--osl <n>', 'synthetic output tokens')
  .option('--model <id|config.json>', 'model id or config.json path (without a scenario file)')
  .option('--accelerator <id>', 'accelerator id (without a scenario file)')
  .option('--tp <n>', 'tensor parallelism', '1')
  .option('--pp <n>', 'pipeline parallelism', '1')
  .option('--dp <n>', 'attention data parallelism', '1')
  .option('--ep <n>', 'expert parallelism')
  .addOption(new Option('--precision <p>', 'weight precision').choices(['bf16', 'fp16', 'fp8', 'int8', 'fp4', 'int4']))
  .addOption(new Option('--kv-precision <p>', 'KV cache precision').choices(['bf16', 'fp16', 'fp8', 'int8', 'fp4']))
  .addOption(new Option('--engine <id>', 'serving engine').choices(['vllm', 'sglang', 'trtllm', 'mindie', 'generic']).default('vllm'))
  .option('--replicas <n>', 'replicas', '1')
  .option('--memory-utilization <fraction>', "fraction of device memory the engine may use, above 0 and at most 1 (default: the engine's, e.g. vLLM 0.9)")
  .option('--max-batched-tokens <n>', "token budget of one iteration per rank, prompt chunks and decode tokens together (vLLM --max-num-batched-tokens; default: the engine's)")
  .option('--speculative-tokens <k>', 'speculative decoding: tokens a one-layer drafter proposes per step, 1-8')
  .option('--acceptance-rate <a>', 'speculative decoding: probability that a drafted token is accepted (default 0.7, an assumption)')
  .addOption(new Option('--router <name>', 'routing policy').choices(['round-robin', 'least-outstanding', 'least-kv', 'power-of-two', 'prefix-affinity', 'perf-aware']).default('least-outstanding'))
  .option('--prefix-cache', 'reuse KV of shared prompt prefixes (needs block hashes, e.g. the Mooncake trace)')
  .option('--repeat <n>', 'tile the trace n times', '1')
  .option('--rate-scale <x>', 'multiply the arrival rate by x', '1')
  .option('--max-requests <n>', 'stop after n requests')
  .option('--slo-ttft-ms <ms>', 'TTFT target for SLO attainment and goodput')
  .option('--slo-tpot-ms <ms>', 'TPOT target for SLO attainment and goodput')
  .option('--seed <n>', 'random seed (routing, synthetic arrivals)', '1')
  .option('--skip-invalid', 'skip malformed trace rows (and count them) instead of stopping')
  .option('--timeline <file.csv>', 'write per-interval series per pool')
  .option('--timeline-interval <s>', 'timeline interval, seconds', '10')
  .option('--requests-csv <file.csv>', 'write one record per request')
  .option('--report <file.html>', 'write a self-contained HTML report (summary, tables, TTFT/TPOT distributions, timeline; opens offline)')
  .option('--model-configs <dir...>', 'extra directories of org--name_config.json files')
  .option('--json', 'machine-readable output')
  .addHelpText(
    'after',
    '\nExamples:\n  $ tokenfleet simulate scenarios/simulate-mixed-fleet.yaml\n  $ tokenfleet simulate scenarios/simulate-disagg.yaml --report disagg.html\n  $ tokenfleet simulate --trace ../shared/data/traces/azure-2023/AzureLLMInferenceTrace_conv.csv --model meta-llama/Llama-3.1-8B --accelerator h20 --replicas 4 --slo-ttft-ms 500 --slo-tpot-ms 50\n  $ tokenfleet simulate --trace ../shared/data/traces/mooncake/synthetic_trace.jsonl --model meta-llama/Llama-3.1-70B --accelerator h200-sxm --tp 4 --precision fp8 --replicas 4 --prefix-cache --router prefix-affinity\n  $ tokenfleet simulate --rate 20 --isl 2048 --osl 256 --model Qwen/Qwen3-32B --accelerator ascend-910c --engine mindie --replicas 4 --json',
  )
  .action(async (scenario, opts) => (await import('./commands/simulate.js')).simulateCommand(scenario, opts));

program
  .command('plan <scenario.yaml>')
  .description('choose configurations, the fleet mix and a multi-quarter procurement plan for a scenario (HiGHS MIP)')
  .option('--variant <name...>', 'also solve these variants')
  .option('--all-variants', 'also solve every variant of the scenario')
  .option('--report <file.html>', 'write a self-contained HTML report with charts')
  .option('--cache <file>', 'configuration-search cache', '.tokenfleet/cache/plan-configs.json')
  .option('--time-limit <s>', 'time limit of each solve, seconds', '60')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExamples:\n  $ tokenfleet plan scenarios/plan-small.yaml\n  $ tokenfleet plan scenarios/bytedance-2026.yaml --all-variants --report plan.html')
  .action(async (file, opts) => (await import('./commands/plan.js')).planCommand(file, opts));

program
  .command('serve')
  .description('run the OpenAI-compatible multi-tenant gateway (npm start): emulated or real backends, ledger, limits, metrics')
  .option('--config <file>', 'gateway configuration', 'gateway.yaml')
  .option('--port <n>', 'listen on this port (default: the config, 8080)')
  .option('--host <host>', 'listen on this address (default: the config, 127.0.0.1)')
  .option('--data-dir <dir>', 'where the SQLite ledger and tenants live (default: the config, .tokenfleet/data)')
  .option('--quiet', 'log warnings and errors only')
  .option('--scenario <file>', "the dashboard's plan scenario, planned (all variants) in the background at start (default: scenarios/bytedance-2026.yaml)")
  .option('--no-plan', 'do not plan the scenario at start (the dashboard can still start a plan)')
  .option('--plan-cache <file>', 'configuration-search cache of the dashboard plans', '.tokenfleet/cache/plan-configs.json')
  .option('--traces-dir <dir>', "request traces the dashboard's simulations replay", '../shared/data/traces')
  .option('--demo-load <rps>', 'also send a gentle background load (Poisson, requests per second, 3 tenants load-1..3) so the dashboard moves at once; npm start uses 1', '0')
  .addHelpText('after', '\nExamples:\n  $ TOKENFLEET_ADMIN_TOKEN=secret tokenfleet serve --port 8080\n  $ tokenfleet serve --scenario scenarios/plan-small.yaml')
  .action(async (opts) => (await import('./commands/serve.js')).serveCommand(opts));

program
  .command('load')
  .description('open-loop load against a running gateway: Poisson arrivals or a ServeGen replay over several tenants; live line and summary')
  .option('--url <url>', 'the gateway', 'http://127.0.0.1:8080')
  .option('--rps <n>', 'mean arrival rate, requests per second (Poisson)')
  .option('--duration <s>', 'stop sending after this many seconds (default: until Ctrl-C)')
  .option('--tenants <k>', 'create (or reuse by name) tenants load-1..k with weights 1, 2, 4, ... and a key each (default 4; needs the admin token)')
  .option('--admin-token <token>', 'admin bearer token (default: TOKENFLEET_ADMIN_TOKEN)')
  .option('--key <key>', 'send with this API key instead of creating tenants (repeat for several)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
  .option('--models <a,b>', 'comma-separated models (default: all of GET /v1/models)')
  .option('--stream-share <x>', 'share of streamed requests, 0 to 1', '0.5')
  .option('--prompt-tokens <n>', 'median prompt length, tokens (lognormal)', '128')
  .option('--output-tokens <n>', 'median max_tokens, tokens (lognormal)', '64')
  .option('--length-sigma <s>', 'log-space standard deviation of both lengths (ShareGPT-like: 1; 0: fixed)', '1')
  .option('--lengths <file.csv>', 'draw (prompt, output) pairs from a length-statistics CSV instead (e.g. sharegpt_8k_filtered_stats_llama2_tokenizer.csv)')
  .option('--max-prompt-tokens <n>', 'cap of prompt lengths, tokens', '4096')
  .option('--max-output-tokens <n>', 'cap of max_tokens, tokens', '2048')
  .option('--seed <n>', 'random seed of the schedule', '1')
  .option('--servegen <dir>', "replay a ServeGen profile's per-client rates instead of --rps, one tenant per client")
  .option('--rate-scale <x>', 'multiply the ServeGen rates by x', '1')
  .option('--servegen-start <s>', 'where in the profile day to start, seconds', '0')
  .option('--max-clients <n>', 'only the n busiest ServeGen clients')
  .option('--max-in-flight <n>', 'requests waiting at once before new ones are skipped', '10000')
  .option('--json', 'print only the summary, as JSON')
  .addHelpText(
    'after',
    '\nExamples:\n  $ TOKENFLEET_ADMIN_TOKEN=secret tokenfleet load --rps 200 --duration 30 --tenants 3\n  $ tokenfleet load --rps 50 --key tf-... --models llama-3.1-8b --stream-share 1\n  $ tokenfleet load --servegen ../shared/data/traces/servegen-deepseek-r1 --rate-scale 0.5 --max-clients 8 --servegen-start 43200 --duration 60 --json',
  )
  .action(async (opts) => (await import('./commands/load.js')).loadCommand(opts));

const adminOpts = (c: Command) =>
  c
    .option('--url <url>', 'the gateway', 'http://127.0.0.1:8080')
    .option('--admin-token <token>', 'admin bearer token (default: TOKENFLEET_ADMIN_TOKEN)')
    .option('--json', 'machine-readable output');
const tenants = program.command('tenants').description("manage the gateway's tenants (admin API)");
adminOpts(
  tenants
    .command('create')
    .description('create a tenant')
    .requiredOption('--name <name>', 'tenant name')
    .option('--budget-usd-per-month <usd>', 'monthly budget')
    .option('--rpm <n>', 'requests per minute')
    .option('--tpm <n>', 'tokens per minute')
    .option('--weight <w>', 'fair-share priority weight')
    .option('--models <id...>', 'allowed models (default: all)'),
).action(async (opts) => (await import('./commands/admin.js')).tenantsCreateCommand(opts));
adminOpts(tenants.command('list').description('list tenants')).action(async (opts) => (await import('./commands/admin.js')).tenantsListCommand(opts));
const keys = program.command('keys').description("manage tenants' API keys (admin API)");
adminOpts(keys.command('create <tenantId>').description('create an API key (shown once)')).action(async (id, opts) => (await import('./commands/admin.js')).keysCreateCommand(id, opts));
adminOpts(keys.command('revoke <keyId>').description('revoke an API key')).action(async (id, opts) => (await import('./commands/admin.js')).keysRevokeCommand(id, opts));
adminOpts(
  program
    .command('usage')
    .description("a tenant's metered usage: totals and per model and day (admin API)")
    .requiredOption('--tenant <id>', 'tenant id')
    .option('--from <date>', 'from (ISO date or ms)')
    .option('--to <date>', 'to (ISO date or ms)'),
).action(async (opts) => (await import('./commands/admin.js')).usageCommand(opts));

program
  .command('schema <kind>')
  .description('print the JSON Schema of a file format, for editors (kinds: simulation, plan, gateway)')
  .action(async (kind) => (await import('./commands/schema.js')).schemaCommand(kind));

program
  .command('demo', { isDefault: false })
  .description('print the accelerator catalogue and example estimates on three chips')
  .action(async () => (await import('./commands/demo.js')).demoCommand());

// A closed pipe (`tokenfleet ... | head`) ends the output quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

async function main(): Promise<number> {
  try {
    await program.parseAsync(process.argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander already printed the message; help and version exit 0.
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
      return 2;
    }
    if (e instanceof TokenfleetError) {
      process.stderr.write(`error: ${e.message}\n`);
      return e.exitCode;
    }
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}

process.exitCode = await main();
