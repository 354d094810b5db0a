/**
 * @module The accelerator catalogue: one readonly record per chip, every number
 * a Fact with its source and confidence.
 *
 * Conventions of this table (units are those of AcceleratorSpec):
 * - GB and TB/s are decimal, as vendors use them: 141 GB = 141e9 bytes, 4.8 TB/s = 4.8e12 B/s.
 * - Peaks are dense. Where a vendor quotes only sparse figures they are halved and the note says so;
 *   where a vendor does not say dense or sparse the value is an `estimate` taken as dense.
 * - Scale-up and scale-out bandwidths are per chip and one direction; bidirectional figures are halved.
 * - A peak slot for a precision the chip does not run natively is `unknownFact` with a note
 *   starting "not native" (the fp4 slot also serves int4, see precision.ts).
 * - Values the reference CSV (shared/data/reference/accelerators.csv) marks ESTIMATE / UNVERIFIED /
 *   uncertain stay `estimate` with a note saying so; no price is invented.
 * - GB200 and GB300 rows are per GPU (a superchip carries two).
 */
import type { AcceleratorSpec } from './accelerator-spec.js';
import { fact, unknownFact, type Fact } from './fact.js';

/** Source string for a row of the reference CSV (named by its `name` column). */
function csvRow(name: string): string {
  return `shared/data/reference/accelerators.csv, row "${name}"`;
}

/** A peak slot for a precision the chip has no native support for. */
function notNative(source: string, why: string): Fact<number> {
  return unknownFact(source, `not native: ${why}`);
}

/** Prices with no dated source are dated to the reference data, whose latest entries are mid-2026. */
const REFERENCE_DATE = '2026-06';
const TIMELINE = 'shared/data/reference/export-timeline.csv';

// --- Sources -----------------------------------------------------------------------------------
const A100 = csvRow('Nvidia A100 80GB SXM');
const H100 = csvRow('Nvidia H100 SXM');
const H200 = csvRow('Nvidia H200 SXM');
const H20 = csvRow('Nvidia H20');
const H800 = csvRow('Nvidia H800 SXM');
const B200 = csvRow('Nvidia B200 (HGX, 1000 W)');
const PRO6000D = csvRow("Nvidia RTX Pro 6000D (China; 'B40' in early reports)");
const A910B = csvRow('Huawei Ascend 910B (910B2 bin; B3/B4 in notes)');
const A910C = csvRow('Huawei Ascend 910C');
const A950PR = csvRow('Huawei Ascend 950PR (announced)');
const A950DT = csvRow('Huawei Ascend 950DT (announced)');
const MLU370 = csvRow('Cambricon MLU370-X8');
const MLU590 = csvRow('Cambricon MLU590');
const S4000 = csvRow('Moore Threads MTT S4000');
const S5000 = csvRow('Moore Threads MTT S5000');
const C500 = csvRow('MetaX Xiyun C500');
const C600 = csvRow('MetaX Xiyun C600');
const P800 = csvRow('Kunlunxin P800');
const K100 = csvRow('Hygon DCU K100 (K100-AI)');
const BR100 = csvRow('Biren BR100');
const BR104 = csvRow('Biren BR104');
const INHOUSE = csvRow("In-house inference ASIC ('SeedChip', H20-class) - PLACEHOLDER");

const A100_DS = 'NVIDIA A100 Tensor Core GPU datasheet (2021)';
const DGX_A100 = 'NVIDIA DGX A100 datasheet (8x ConnectX-6 200 Gb/s)';
const HGX_HOPPER = 'NVIDIA HGX H100/H200 platform (8-GPU NVSwitch baseboard)';
const DGX_HOPPER = 'NVIDIA DGX H100/H200 datasheet (8x ConnectX-7 400 Gb/s)';
const HOPPER_DS = 'NVIDIA H100 Tensor Core GPU datasheet (no FP4/INT4 tensor-core rate)';
const HGX_B200 = 'NVIDIA HGX B200 / DGX B200 datasheet (2024)';
const GB200_DS = 'NVIDIA GB200 NVL72 datasheet (2024)';
const B300_DS = 'NVIDIA DGX B300 / HGX B300 datasheet (2025)';
const GB300_DS = 'NVIDIA GB300 NVL72 product page / datasheet (2025)';
const MI300X_DS = 'AMD Instinct MI300X datasheet (2023)';
const MI325X_DS = 'AMD Instinct MI325X datasheet (2024)';
const MI355X_DS = 'AMD Instinct MI355X datasheet (2025)';
const HUAWEI_ROADMAP = 'Huawei Connect 2025 Ascend roadmap (2025-09-18), as cited in the reference CSV';

const NVLINK4 = 'NVLink 4: 900 GB/s bidirectional per GPU, halved to one direction';
const NVLINK5 = 'NVLink 5: 1,800 GB/s bidirectional per GPU, halved to one direction';
const SPARSE_HALVED = 'vendor sparse figure halved to dense';
const BLACKWELL_EXPORT =
  'Prohibited: Blackwell explicitly excluded from the 2025-12-08 H200 decision (Blackwell and Rubin excluded); not obtainable in China.';

const NVIDIA_ENGINES = ['vllm', 'sglang', 'trtllm', 'generic'] as const;
const AMD_ENGINES = ['vllm', 'sglang', 'generic'] as const;
const ASCEND_ENGINES = ['mindie', 'vllm', 'sglang', 'generic'] as const;
const DOMESTIC_ENGINES = ['vllm', 'generic'] as const;

export const ACCELERATORS = [
  // --- Nvidia --------------------------------------------------------------------------------
  {
    id: 'a100-80g', name: 'NVIDIA A100 80GB SXM', vendor: 'Nvidia', family: 'ampere', aliases: ['a100_sxm'],
    memoryBytes: fact(80e9, 'datasheet', A100),
    memoryType: fact('HBM2e', 'datasheet', A100),
    memoryBandwidthBytesPerSecond: fact(2.039e12, 'datasheet', A100),
    peakFlopsPerSecond: {
      bf16: fact(312e12, 'datasheet', A100, 'the cited table mislabels the sparse 624 as dense; dense is 312'),
      fp8: notNative(A100_DS, 'no FP8 tensor cores on Ampere'),
      int8: fact(624e12, 'datasheet', A100),
      fp4: fact(1248e12, 'datasheet', A100_DS, 'INT4 tensor-core rate (no FP4 on Ampere); this slot serves int4'),
    },
    scaleUp: {
      name: fact('NVLink 3', 'datasheet', A100),
      bandwidthBytesPerSecond: fact(300e9, 'datasheet', A100, 'NVLink 3: 600 GB/s bidirectional, halved to one direction'),
      domainSize: fact(8, 'datasheet', 'NVIDIA HGX A100 8-GPU baseboard'),
    },
    scaleOut: { name: fact('InfiniBand HDR', 'datasheet', DGX_A100), bandwidthBytesPerSecond: fact(25e9, 'datasheet', DGX_A100, '200 Gb/s per GPU') },
    tdpWatts: fact(400, 'datasheet', A100),
    priceUsd: unknownFact(A100, 'no new supply to China; secondary-market price not verified'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2020', 'reported', A100),
    precisions: ['bf16', 'fp16', 'int8', 'int4'],
    engines: NVIDIA_ENGINES,
    exportStatus: 'Banned since 2022-10-07; A800 banned by the 2023-10-17 rule. Installed base only.',
  },
  {
    id: 'h100-sxm', name: 'NVIDIA H100 SXM', vendor: 'Nvidia', family: 'hopper', aliases: ['h100_sxm'],
    memoryBytes: fact(80e9, 'datasheet', H100),
    memoryType: fact('HBM3', 'datasheet', H100),
    memoryBandwidthBytesPerSecond: fact(3.35e12, 'datasheet', H100),
    peakFlopsPerSecond: {
      bf16: fact(989e12, 'datasheet', H100, SPARSE_HALVED),
      fp8: fact(1979e12, 'datasheet', H100, SPARSE_HALVED),
      int8: fact(1979e12, 'datasheet', H100, SPARSE_HALVED),
      fp4: notNative(HOPPER_DS, 'no FP4/INT4 tensor cores on Hopper'),
    },
    scaleUp: {
      name: fact('NVLink 4', 'datasheet', H100),
      bandwidthBytesPerSecond: fact(450e9, 'datasheet', H100, NVLINK4),
      domainSize: fact(8, 'datasheet', HGX_HOPPER),
    },
    scaleOut: { name: fact('InfiniBand NDR / Ethernet', 'datasheet', DGX_HOPPER), bandwidthBytesPerSecond: fact(50e9, 'datasheet', DGX_HOPPER, '400 Gb/s per GPU') },
    tdpWatts: fact(700, 'datasheet', H100),
    priceUsd: fact(27500, 'estimate', H100, "ESTIMATE: street range ~$25k-30k+ per SXM5; not a list price"),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2022', 'reported', H100),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: NVIDIA_ENGINES,
    exportStatus:
      "Banned: licence required since the 2022-10-07 rule (ECCN 3A090), presumption of denial. Whether the Jan-2026 case-by-case 'H200-class' rule also covers H100 is UNVERIFIED.",
  },
  {
    id: 'h800-sxm', name: 'NVIDIA H800 SXM', vendor: 'Nvidia', family: 'hopper', aliases: ['h800_sxm'],
    memoryBytes: fact(80e9, 'datasheet', H800),
    memoryType: fact('HBM3', 'datasheet', H800),
    memoryBandwidthBytesPerSecond: fact(3.35e12, 'datasheet', H800),
    peakFlopsPerSecond: {
      bf16: fact(989e12, 'datasheet', H800, 'same tensor cores as H100'),
      fp8: fact(1979e12, 'datasheet', H800, 'same tensor cores as H100'),
      int8: fact(1979e12, 'datasheet', H800, 'same tensor cores as H100'),
      fp4: notNative(HOPPER_DS, 'no FP4/INT4 tensor cores on Hopper'),
    },
    scaleUp: {
      name: fact('NVLink 4 (cut)', 'datasheet', H800),
      bandwidthBytesPerSecond: fact(200e9, 'reported', H800, 'NVLink cut to 400 GB/s bidirectional (from 900), halved to one direction'),
      domainSize: fact(8, 'datasheet', HGX_HOPPER),
    },
    scaleOut: {
      name: fact('InfiniBand NDR', 'reported', 'DeepSeek, "Insights into DeepSeek-V3" (ISCA 2025): 8x 400 Gb/s InfiniBand per 8-GPU H800 node'),
      bandwidthBytesPerSecond: fact(50e9, 'reported', 'DeepSeek, "Insights into DeepSeek-V3" (ISCA 2025): 8x 400 Gb/s InfiniBand per 8-GPU H800 node', '400 Gb/s per GPU'),
    },
    tdpWatts: fact(700, 'estimate', H800, 'UNVERIFIED: one source claims a 550 W firmware cap'),
    priceUsd: unknownFact(H800, 'no new supply; one source says ~15-20% below H100 (UNVERIFIED)'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2023-03', 'reported', TIMELINE),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: NVIDIA_ENGINES,
    exportStatus:
      'Banned by the 2023-10-17 rule (effective 2023-11-17; Nvidia told "immediately" 2023-10-24). Installed base only (e.g. the DeepSeek-V3 training fleet).',
  },
  {
    id: 'h200-sxm', name: 'NVIDIA H200 SXM', vendor: 'Nvidia', family: 'hopper', aliases: ['h200_sxm'],
    memoryBytes: fact(141e9, 'datasheet', H200),
    memoryType: fact('HBM3e', 'datasheet', H200),
    memoryBandwidthBytesPerSecond: fact(4.8e12, 'datasheet', H200),
    peakFlopsPerSecond: {
      bf16: fact(989e12, 'datasheet', H200, SPARSE_HALVED),
      fp8: fact(1979e12, 'datasheet', H200, SPARSE_HALVED),
      int8: fact(1979e12, 'datasheet', H200, SPARSE_HALVED),
      fp4: notNative(HOPPER_DS, 'no FP4/INT4 tensor cores on Hopper'),
    },
    scaleUp: {
      name: fact('NVLink 4', 'datasheet', H200),
      bandwidthBytesPerSecond: fact(450e9, 'datasheet', H200, NVLINK4),
      domainSize: fact(8, 'datasheet', HGX_HOPPER),
    },
    scaleOut: { name: fact('InfiniBand NDR / Ethernet', 'datasheet', DGX_HOPPER), bandwidthBytesPerSecond: fact(50e9, 'datasheet', DGX_HOPPER, '400 Gb/s per GPU') },
    tdpWatts: fact(700, 'datasheet', H200),
    priceUsd: fact(20000, 'reported', H200,
      'FT via Digitimes/TrendForce (2025-12-23): ByteDance initial order of 20,000 at ~US$20,000 each; chip only; the 25% US take (Section 232 tariff) and its pass-through are UNKNOWN'),
    priceDate: '2025-12',
    availableFrom: fact('2024', 'reported', H200),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: NVIDIA_ENGINES,
    exportStatus:
      'US gate: approved in principle 2025-12-08 (vetted customers, 25% to USG); BIS rule 2026-01-13/15 = case-by-case licences, US third-party testing, China volume <=50% of US volume, no military end use. China gate: customs blocked entry (mid-Jan 2026); conditional approvals for ByteDance/Alibaba/Tencent (400k+ units total, 2026-01-28) tied to domestic-chip purchases; mid-2026 reports say no shipments yet (LOW confidence).',
  },
  {
    id: 'h20', name: 'NVIDIA H20', vendor: 'Nvidia', family: 'hopper', aliases: [],
    memoryBytes: fact(96e9, 'datasheet', H20),
    memoryType: fact('HBM3', 'estimate', H20, 'UNVERIFIED: some pages list HBM3e'),
    memoryBandwidthBytesPerSecond: fact(4.0e12, 'datasheet', H20),
    peakFlopsPerSecond: {
      bf16: fact(148e12, 'datasheet', H20, 'dense (148 FP16 dense per cited table)'),
      fp8: fact(296e12, 'datasheet', H20),
      int8: fact(296e12, 'datasheet', H20),
      fp4: notNative(HOPPER_DS, 'no FP4/INT4 tensor cores on Hopper'),
    },
    scaleUp: {
      name: fact('NVLink 4', 'datasheet', H20),
      bandwidthBytesPerSecond: fact(450e9, 'datasheet', H20, NVLINK4),
      domainSize: fact(8, 'datasheet', HGX_HOPPER),
    },
    scaleOut: {
      name: fact('InfiniBand NDR / Ethernet', 'estimate', DGX_HOPPER, 'assumed the same HGX platform as H100'),
      bandwidthBytesPerSecond: fact(50e9, 'estimate', DGX_HOPPER, 'ESTIMATE: assumed one 400 Gb/s NIC per GPU as on HGX H100'),
    },
    tdpWatts: fact(400, 'datasheet', H20),
    priceUsd: fact(11000, 'reported', H20, 'reported US$10,000-12,000 (Tom\'s Hardware via techbuzzpro); midpoint'),
    priceDate: '2025-05',
    availableFrom: fact('2024', 'reported', H20),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: NVIDIA_ENGINES,
    exportStatus:
      'US licence required from 2025-04-09 (Nvidia ~$5.5B charge); licences issued from Aug 2025 with 15% revenue share. China: CAC summoned Nvidia 2025-07-31 over "backdoor" risks; MIIT/CAC notices discouraged H20 (Aug 2025); state-funded DCs must use domestic chips (Nov 2025). Treat as effectively unavailable for new 2026 buys (production status UNVERIFIED).',
  },
  {
    id: 'b200-sxm', name: 'NVIDIA B200 (HGX, 1000 W)', vendor: 'Nvidia', family: 'blackwell', aliases: ['b200_sxm'],
    memoryBytes: fact(192e9, 'estimate', B200, 'UNVERIFIED: 192 GB physical; usable memory is 180 GB per GPU in DGX B200 (1,440 GB per 8 GPUs)'),
    memoryType: fact('HBM3e', 'datasheet', B200),
    memoryBandwidthBytesPerSecond: fact(8.0e12, 'estimate', B200, 'UNVERIFIED: some list 7.7 TB/s'),
    peakFlopsPerSecond: {
      bf16: fact(2250e12, 'datasheet', B200),
      fp8: fact(4500e12, 'datasheet', B200),
      int8: fact(4500e12, 'datasheet', B200),
      fp4: fact(9000e12, 'datasheet', HGX_B200, `FP4 18 PFLOPS per GPU sparse; ${SPARSE_HALVED}`),
    },
    scaleUp: {
      name: fact('NVLink 5', 'datasheet', B200),
      bandwidthBytesPerSecond: fact(900e9, 'datasheet', B200, NVLINK5),
      domainSize: fact(8, 'datasheet', HGX_B200),
    },
    scaleOut: { name: fact('InfiniBand NDR / Ethernet', 'datasheet', HGX_B200), bandwidthBytesPerSecond: fact(50e9, 'datasheet', HGX_B200, '8x ConnectX-7 400 Gb/s: 400 Gb/s per GPU') },
    tdpWatts: fact(1000, 'datasheet', B200),
    priceUsd: unknownFact(B200, 'not obtainable in China; price not verified'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2024', 'reported', B200),
    precisions: ['bf16', 'fp16', 'fp8', 'int8', 'fp4'],
    engines: NVIDIA_ENGINES,
    exportStatus: BLACKWELL_EXPORT,
  },
  {
    id: 'gb200', name: 'NVIDIA GB200 (per Blackwell GPU, NVL72)', vendor: 'Nvidia', family: 'blackwell', aliases: ['gb200_sxm', 'gb200-nvl72'],
    memoryBytes: fact(186e9, 'datasheet', GB200_DS, 'up to 13.4 TB HBM3e per NVL72 rack / 72 GPUs'),
    memoryType: fact('HBM3e', 'datasheet', GB200_DS),
    memoryBandwidthBytesPerSecond: fact(8e12, 'datasheet', GB200_DS, '576 TB/s per rack / 72 GPUs'),
    peakFlopsPerSecond: {
      bf16: fact(2500e12, 'datasheet', GB200_DS, `360 PFLOPS per rack sparse / 72; ${SPARSE_HALVED}`),
      fp8: fact(5000e12, 'datasheet', GB200_DS, `720 PFLOPS per rack sparse / 72; ${SPARSE_HALVED}`),
      int8: fact(5000e12, 'datasheet', GB200_DS, `720 POPS per rack sparse / 72; ${SPARSE_HALVED}`),
      fp4: fact(10000e12, 'datasheet', GB200_DS, `1,440 PFLOPS per rack sparse / 72; ${SPARSE_HALVED}`),
    },
    scaleUp: {
      name: fact('NVLink 5 (NVL72)', 'datasheet', GB200_DS),
      bandwidthBytesPerSecond: fact(900e9, 'datasheet', GB200_DS, NVLINK5),
      domainSize: fact(72, 'datasheet', GB200_DS),
    },
    scaleOut: {
      name: fact('InfiniBand / Ethernet', 'estimate', GB200_DS, 'assumed ConnectX-7 NICs as in the reference compute tray'),
      bandwidthBytesPerSecond: fact(50e9, 'estimate', GB200_DS, 'ESTIMATE: one 400 Gb/s ConnectX-7 per GPU in the reference compute tray'),
    },
    tdpWatts: fact(1200, 'estimate', GB200_DS, 'ESTIMATE: reported ~1,200 W per GPU; the superchip (2 GPUs + Grace) is configurable up to ~2,700 W'),
    priceUsd: unknownFact(GB200_DS, 'no public per-GPU price'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2025', 'reported', GB200_DS, 'NVL72 racks ramped in 2025'),
    precisions: ['bf16', 'fp16', 'fp8', 'int8', 'fp4'],
    engines: NVIDIA_ENGINES,
    exportStatus: BLACKWELL_EXPORT,
    notes: 'Per GPU: a GB200 superchip carries two Blackwell GPUs and one Grace CPU.',
  },
  {
    id: 'b300-sxm', name: 'NVIDIA B300 (HGX, Blackwell Ultra)', vendor: 'Nvidia', family: 'blackwell-ultra', aliases: ['b300_sxm'],
    memoryBytes: fact(288e9, 'datasheet', B300_DS, '2.3 TB per 8 GPUs'),
    memoryType: fact('HBM3e', 'datasheet', B300_DS),
    memoryBandwidthBytesPerSecond: fact(8e12, 'datasheet', B300_DS),
    peakFlopsPerSecond: {
      bf16: fact(2250e12, 'datasheet', B300_DS, `36 PFLOPS per 8 GPUs sparse; ${SPARSE_HALVED}`),
      fp8: fact(4500e12, 'datasheet', B300_DS, `72 PFLOPS per 8 GPUs sparse; ${SPARSE_HALVED}`),
      int8: fact(125e12, 'estimate', B300_DS, 'ESTIMATE: Blackwell Ultra cut INT8; table gives ~2 POPS per 8 GPUs, taken as sparse and halved'),
      fp4: fact(13500e12, 'estimate', B300_DS, 'ESTIMATE: dense FP4 108 PFLOPS per 8 GPUs (some HGX tables show 105)'),
    },
    scaleUp: {
      name: fact('NVLink 5', 'datasheet', B300_DS),
      bandwidthBytesPerSecond: fact(900e9, 'datasheet', B300_DS, NVLINK5),
      domainSize: fact(8, 'datasheet', B300_DS),
    },
    scaleOut: { name: fact('InfiniBand XDR / Ethernet (ConnectX-8)', 'datasheet', B300_DS), bandwidthBytesPerSecond: fact(100e9, 'datasheet', B300_DS, '8x ConnectX-8 800 Gb/s: 800 Gb/s per GPU') },
    tdpWatts: fact(1100, 'estimate', B300_DS, 'ESTIMATE: reported ~1,100 W per GPU in HGX B300'),
    priceUsd: unknownFact(B300_DS, 'no public price'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2025', 'reported', B300_DS),
    precisions: ['bf16', 'fp16', 'fp8', 'int8', 'fp4'],
    engines: NVIDIA_ENGINES,
    exportStatus: BLACKWELL_EXPORT,
  },
  {
    id: 'gb300', name: 'NVIDIA GB300 (per Blackwell Ultra GPU, NVL72)', vendor: 'Nvidia', family: 'blackwell-ultra', aliases: ['gb300_sxm', 'gb300-nvl72'],
    memoryBytes: fact(288e9, 'datasheet', GB300_DS, 'up to 21 TB HBM3e per NVL72 rack; 288 GB per GPU'),
    memoryType: fact('HBM3e', 'datasheet', GB300_DS),
    memoryBandwidthBytesPerSecond: fact(8e12, 'datasheet', GB300_DS, '576 TB/s per rack / 72 GPUs'),
    peakFlopsPerSecond: {
      bf16: fact(2500e12, 'datasheet', GB300_DS, `360 PFLOPS per rack sparse / 72; ${SPARSE_HALVED}`),
      fp8: fact(5000e12, 'datasheet', GB300_DS, `720 PFLOPS per rack sparse / 72; ${SPARSE_HALVED}`),
      int8: fact(160e12, 'estimate', GB300_DS, 'ESTIMATE: Blackwell Ultra cut INT8; 23 POPS per rack / 72, taken as sparse and halved'),
      fp4: fact(15000e12, 'datasheet', GB300_DS, 'dense FP4 1,080 PFLOPS per rack / 72'),
    },
    scaleUp: {
      name: fact('NVLink 5 (NVL72)', 'datasheet', GB300_DS),
      bandwidthBytesPerSecond: fact(900e9, 'datasheet', GB300_DS, NVLINK5),
      domainSize: fact(72, 'datasheet', GB300_DS),
    },
    scaleOut: { name: fact('InfiniBand XDR / Ethernet (ConnectX-8)', 'datasheet', GB300_DS), bandwidthBytesPerSecond: fact(100e9, 'datasheet', GB300_DS, 'one ConnectX-8 800 Gb/s per GPU') },
    tdpWatts: fact(1400, 'estimate', GB300_DS, 'ESTIMATE: reported ~1,400 W per GPU'),
    priceUsd: unknownFact(GB300_DS, 'no public per-GPU price'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2025', 'reported', GB300_DS),
    precisions: ['bf16', 'fp16', 'fp8', 'int8', 'fp4'],
    engines: NVIDIA_ENGINES,
    exportStatus: BLACKWELL_EXPORT,
    notes: 'Per GPU: a GB300 superchip carries two Blackwell Ultra GPUs and one Grace CPU.',
  },
  {
    id: 'rtx-pro-6000d', name: 'NVIDIA RTX Pro 6000D (China; "B40")', vendor: 'Nvidia', family: 'blackwell-workstation', aliases: ['b40'],
    memoryBytes: fact(84e9, 'reported', PRO6000D, 'early rumours said 96 GB (UNVERIFIED)'),
    memoryType: fact('GDDR7 (448-bit)', 'reported', PRO6000D),
    memoryBandwidthBytesPerSecond: fact(1.57e12, 'estimate', PRO6000D, 'ESTIMATE: 448-bit x 28 Gbps assumed (full RTX PRO 6000: 1.792 TB/s at 512-bit)'),
    peakFlopsPerSecond: {
      bf16: fact(415e12, 'estimate', PRO6000D, 'ESTIMATE: scaled from RTX PRO 6000 by 156/188 SMs'),
      fp8: fact(830e12, 'estimate', PRO6000D, 'ESTIMATE: scaled from RTX PRO 6000 by 156/188 SMs'),
      int8: fact(830e12, 'estimate', PRO6000D, 'ESTIMATE: scaled from RTX PRO 6000 by 156/188 SMs'),
      fp4: fact(1660e12, 'estimate', PRO6000D, 'ESTIMATE: twice the FP8 estimate (Blackwell FP4 rate)'),
    },
    scaleUp: {
      name: fact('PCIe Gen5 x16 (no NVLink)', 'reported', PRO6000D),
      bandwidthBytesPerSecond: fact(64e9, 'reported', PRO6000D, '~64 GB/s per direction'),
      domainSize: fact(8, 'assumption', PRO6000D, 'typical 8-card PCIe server; tensor parallelism runs over PCIe'),
    },
    scaleOut: { name: unknownFact(PRO6000D, 'depends on the server build'), bandwidthBytesPerSecond: unknownFact(PRO6000D, 'depends on the server build') },
    tdpWatts: fact(600, 'estimate', PRO6000D, 'ESTIMATE: 600 W nominal, ~420 W observed'),
    priceUsd: fact(7250, 'reported', PRO6000D, "reported US$6,500-8,000 for 'B40' (Tom's Hardware via techbuzzpro); midpoint"),
    priceDate: '2025-05',
    availableFrom: fact('2025', 'reported', PRO6000D),
    precisions: ['bf16', 'fp16', 'fp8', 'int8', 'fp4'],
    engines: NVIDIA_ENGINES,
    exportStatus:
      'US: designed to sit under US thresholds (licence status UNVERIFIED). China: CAC told ByteDance, Alibaba et al. to stop testing and cancel orders (FT, 2025-09-17). Treat as blocked.',
  },
  // --- AMD -----------------------------------------------------------------------------------
  {
    id: 'mi300x', name: 'AMD Instinct MI300X', vendor: 'AMD', family: 'cdna3', aliases: [],
    memoryBytes: fact(192e9, 'datasheet', MI300X_DS),
    memoryType: fact('HBM3', 'datasheet', MI300X_DS),
    memoryBandwidthBytesPerSecond: fact(5.3e12, 'datasheet', MI300X_DS),
    peakFlopsPerSecond: {
      bf16: fact(1307.4e12, 'datasheet', MI300X_DS),
      fp8: fact(2614.9e12, 'datasheet', MI300X_DS),
      int8: fact(2614.9e12, 'datasheet', MI300X_DS),
      fp4: notNative(MI300X_DS, 'no FP4 on CDNA3'),
    },
    scaleUp: {
      name: fact('Infinity Fabric', 'datasheet', MI300X_DS),
      bandwidthBytesPerSecond: fact(448e9, 'datasheet', MI300X_DS, '7 links x 128 GB/s = 896 GB/s bidirectional per GPU, halved to one direction'),
      domainSize: fact(8, 'datasheet', 'AMD Instinct MI300X platform (8 GPUs, fully connected)'),
    },
    scaleOut: {
      name: fact('RoCE / InfiniBand', 'estimate', 'AMD Instinct MI300X platform reference builds', 'typical 8-GPU server build, not a fixed part of the platform'),
      bandwidthBytesPerSecond: fact(50e9, 'estimate', 'AMD Instinct MI300X platform reference builds', 'ESTIMATE: one 400 Gb/s NIC per GPU'),
    },
    tdpWatts: fact(750, 'datasheet', MI300X_DS),
    priceUsd: fact(15000, 'reported', 'trade press (2024), e.g. analyst estimates relayed by Tom\'s Hardware', 'reported range US$10,000-15,000; upper end'),
    priceDate: '2024-01',
    availableFrom: fact('2023-Q4', 'reported', MI300X_DS),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: AMD_ENGINES,
    exportStatus:
      'US: licence required (ECCN 3A090 since the 2023-10-17 rule). The 2026-01-13/15 case-by-case rule names H200/MI325X-class chips; whether it covers MI300X is UNVERIFIED. No China-side approval reported.',
  },
  {
    id: 'mi325x', name: 'AMD Instinct MI325X', vendor: 'AMD', family: 'cdna3', aliases: [],
    memoryBytes: fact(256e9, 'datasheet', MI325X_DS),
    memoryType: fact('HBM3e', 'datasheet', MI325X_DS),
    memoryBandwidthBytesPerSecond: fact(6e12, 'datasheet', MI325X_DS),
    peakFlopsPerSecond: {
      bf16: fact(1307.4e12, 'datasheet', MI325X_DS),
      fp8: fact(2614.9e12, 'datasheet', MI325X_DS),
      int8: fact(2614.9e12, 'datasheet', MI325X_DS),
      fp4: notNative(MI325X_DS, 'no FP4 on CDNA3'),
    },
    scaleUp: {
      name: fact('Infinity Fabric', 'datasheet', MI325X_DS),
      bandwidthBytesPerSecond: fact(448e9, 'datasheet', MI325X_DS, '896 GB/s bidirectional per GPU, halved to one direction'),
      domainSize: fact(8, 'datasheet', 'AMD Instinct MI325X platform (8 GPUs, fully connected)'),
    },
    scaleOut: {
      name: fact('RoCE / InfiniBand', 'estimate', 'AMD Instinct MI325X platform reference builds', 'typical 8-GPU server build, not a fixed part of the platform'),
      bandwidthBytesPerSecond: fact(50e9, 'estimate', 'AMD Instinct MI325X platform reference builds', 'ESTIMATE: one 400 Gb/s NIC per GPU'),
    },
    tdpWatts: fact(1000, 'datasheet', MI325X_DS),
    priceUsd: unknownFact(MI325X_DS, 'no public price'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2024-Q4', 'reported', MI325X_DS),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: AMD_ENGINES,
    exportStatus:
      'US: BIS final rule 2026-01-13/15 allows case-by-case licences for H200/MI325X-class chips to China (US third-party testing, China volume <=50% of US volume, no military end use). No AMD China approval reported.',
  },
  {
    id: 'mi355x', name: 'AMD Instinct MI355X', vendor: 'AMD', family: 'cdna4', aliases: [],
    memoryBytes: fact(288e9, 'datasheet', MI355X_DS),
    memoryType: fact('HBM3e', 'datasheet', MI355X_DS),
    memoryBandwidthBytesPerSecond: fact(8e12, 'datasheet', MI355X_DS),
    peakFlopsPerSecond: {
      bf16: fact(2500e12, 'datasheet', MI355X_DS, 'dense ~2.5 PFLOPS (5.0 with sparsity), rounded'),
      fp8: fact(5000e12, 'datasheet', MI355X_DS, 'dense ~5.0 PFLOPS, rounded'),
      int8: fact(5000e12, 'datasheet', MI355X_DS, 'dense ~5.0 POPS, rounded'),
      fp4: fact(10000e12, 'datasheet', MI355X_DS, 'MXFP4 ~10 PFLOPS dense, rounded'),
    },
    scaleUp: {
      name: fact('Infinity Fabric', 'datasheet', MI355X_DS),
      bandwidthBytesPerSecond: fact(537.6e9, 'estimate', MI355X_DS, 'ESTIMATE: 7 links x 153.6 GB/s = 1,075 GB/s taken as bidirectional, halved'),
      domainSize: fact(8, 'datasheet', 'AMD Instinct MI355X platform (8 GPUs)'),
    },
    scaleOut: {
      name: fact('RoCE (Pollara) / InfiniBand', 'estimate', 'AMD Instinct MI355X platform reference builds', 'typical 8-GPU server build, not a fixed part of the platform'),
      bandwidthBytesPerSecond: fact(50e9, 'estimate', 'AMD Instinct MI355X platform reference builds', 'ESTIMATE: one 400 Gb/s NIC per GPU'),
    },
    tdpWatts: fact(1400, 'datasheet', MI355X_DS),
    priceUsd: unknownFact(MI355X_DS, 'no public price'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2025-Q3', 'reported', MI355X_DS),
    precisions: ['bf16', 'fp16', 'fp8', 'int8', 'fp4'],
    engines: AMD_ENGINES,
    exportStatus:
      'Not obtainable in China: above the H200/MI325X class of the 2026-01 case-by-case rule, so ECCN 3A090 presumption of denial applies (inferred; not stated in export-timeline.csv).',
  },
  // --- Huawei --------------------------------------------------------------------------------
  {
    id: 'ascend-910b', name: 'Huawei Ascend 910B (910B2)', vendor: 'Huawei', family: 'ascend', aliases: ['910b'],
    memoryBytes: fact(64e9, 'reported', A910B, '910B4: 32 GB'),
    memoryType: fact('HBM2e', 'reported', A910B),
    memoryBandwidthBytesPerSecond: fact(1.6e12, 'estimate', A910B, 'UNVERIFIED: simulator config value; other pages quote 0.4-1.2 TB/s; 910B4: 0.8 TB/s'),
    peakFlopsPerSecond: {
      bf16: fact(353.8e12, 'estimate', A910B,
        'ESTIMATE: cube FP16 figure, BF16 assumed same rate; 910B3 = 294.9, 910B4 = 245.7 TFLOPS; other pages quote 256-400'),
      fp8: notNative(A910B, 'no FP8 on Ascend 910B'),
      int8: fact(707.9e12, 'reported', A910B),
      fp4: notNative(A910B, 'no FP4/INT4 peak published for Ascend 910B'),
    },
    scaleUp: {
      name: fact('HCCS', 'reported', A910B),
      bandwidthBytesPerSecond: fact(196e9, 'estimate', A910B, 'UNVERIFIED: 196 GB/s per simulator config, other sources 392 GB/s; taken as one direction'),
      domainSize: fact(8, 'reported', A910B, '8 cards per node'),
    },
    scaleOut: {
      name: fact('RoCE', 'reported', A910B),
      bandwidthBytesPerSecond: fact(50e9, 'estimate', A910B, 'UNVERIFIED: "~50 GB/s inter-node" per simulator config; per chip and per direction assumed'),
    },
    tdpWatts: fact(400, 'estimate', A910B, 'UNVERIFIED: sources give 310-400 W'),
    priceUsd: unknownFact(A910B, 'no reliable public price found'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2023', 'reported', A910B),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: ASCEND_ENGINES,
    exportStatus:
      'Domestic (no US export gate), but supply-limited: SMIC 7nm yields and HBM (export-controlled since Dec 2024). ByteDance reportedly ordered >100k 910B in 2024 and had received <30k by July 2024.',
  },
  {
    id: 'ascend-910c', name: 'Huawei Ascend 910C', vendor: 'Huawei', family: 'ascend', aliases: ['910c'],
    memoryBytes: fact(128e9, 'reported', A910C, '2 dies x 64 GB'),
    memoryType: fact('HBM2e (2 dies x 64 GB)', 'reported', A910C),
    memoryBandwidthBytesPerSecond: fact(3.2e12, 'estimate', A910C, 'ESTIMATE: derived as 2 x 1.6 TB/s per die (simulator config)'),
    peakFlopsPerSecond: {
      bf16: fact(800e12, 'estimate', A910C, 'ESTIMATE: Huawei FP16 figure taken for BF16 (simulator per-die 353.8 x 2 = 707.6)'),
      fp8: notNative(A910C, 'no FP8 on Ascend 910C'),
      int8: fact(1600e12, 'estimate', A910C, 'ESTIMATE: 2 x the FP16 figure'),
      fp4: notNative(A910C, 'no FP4/INT4 peak published for Ascend 910C'),
    },
    scaleUp: {
      name: fact('UB mesh (CloudMatrix 384 supernode)', 'reported', A910C),
      bandwidthBytesPerSecond: fact(392e9, 'estimate', A910C, 'ESTIMATE: 784 GB/s per chip (Huawei roadmap), direction not stated; taken as bidirectional and halved'),
      domainSize: fact(384, 'reported', A910C, 'CloudMatrix 384 supernode'),
    },
    scaleOut: { name: unknownFact(A910C, 'not in the reference data'), bandwidthBytesPerSecond: unknownFact(A910C, 'not in the reference data') },
    tdpWatts: unknownFact(A910C, 'TDP not published'),
    priceUsd: fact(28000, 'estimate', A910C, 'VERY ROUGH ESTIMATE: implied by a report of ~70,000 units ~ $2B (maxifyfx.com); not a quote'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2025', 'reported', A910C),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: ASCEND_ENGINES,
    exportStatus:
      'Domestic. Huawei reportedly plans ~600k 910C in 2026 (~2x 2025) and up to 1.6M Ascend dies (Bloomberg via Japan Times, 2025-09-30); HBM is the binding constraint.',
  },
  {
    id: 'ascend-950pr', name: 'Huawei Ascend 950PR (announced)', vendor: 'Huawei', family: 'ascend', aliases: ['950pr'],
    memoryBytes: fact(128e9, 'estimate', A950PR, 'UNVERIFIED: one source swaps PR/DT memory'),
    memoryType: fact("Huawei in-house HBM 'HiBL 1.0'", 'reported', A950PR),
    memoryBandwidthBytesPerSecond: fact(1.6e12, 'estimate', A950PR, 'UNVERIFIED: one source swaps PR/DT memory'),
    peakFlopsPerSecond: {
      bf16: unknownFact(A950PR, 'BF16 not disclosed'),
      fp8: fact(1000e12, 'estimate', A950PR, 'ESTIMATE: vendor FP8 1 PFLOPS, dense/sparse not stated; taken as dense'),
      int8: unknownFact(A950PR, 'INT8 not disclosed'),
      fp4: fact(2000e12, 'estimate', A950PR, 'ESTIMATE: vendor MXFP4 2 PFLOPS, dense/sparse not stated; taken as dense'),
    },
    scaleUp: {
      name: fact('UnifiedBus (Lingqu)', 'reported', HUAWEI_ROADMAP),
      bandwidthBytesPerSecond: fact(1e12, 'estimate', A950PR, 'ESTIMATE: 2 TB/s per chip, direction not stated; taken as bidirectional and halved'),
      domainSize: unknownFact(A950PR, 'no supernode size announced for 950PR'),
    },
    scaleOut: { name: unknownFact(A950PR, 'not announced'), bandwidthBytesPerSecond: unknownFact(A950PR, 'not announced') },
    tdpWatts: unknownFact(A950PR, 'not announced'),
    priceUsd: unknownFact(A950PR, 'one blog claims ~CNY 10k per card (implausible; UNVERIFIED)'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2026-Q1', 'reported', TIMELINE, 'planned (Huawei roadmap 2025-09-18)'),
    precisions: ['bf16', 'fp16', 'fp8', 'int8', 'fp4'],
    engines: ASCEND_ENGINES,
    exportStatus: 'Domestic; planned Q1 2026 (prefill/recommendation-oriented). In-house HBM.',
  },
  {
    id: 'ascend-950dt', name: 'Huawei Ascend 950DT (announced)', vendor: 'Huawei', family: 'ascend', aliases: ['950dt'],
    memoryBytes: fact(144e9, 'estimate', A950DT, 'UNVERIFIED: one source swaps PR/DT memory'),
    memoryType: fact("Huawei in-house HBM 'HiZQ 2.0'", 'reported', A950DT),
    memoryBandwidthBytesPerSecond: fact(4.0e12, 'estimate', A950DT, 'UNVERIFIED: announced figure; one source swaps PR/DT memory'),
    peakFlopsPerSecond: {
      bf16: unknownFact(A950DT, 'BF16 not disclosed'),
      fp8: fact(1000e12, 'estimate', A950DT, 'ESTIMATE: vendor FP8 1 PFLOPS, dense/sparse not stated; taken as dense'),
      int8: unknownFact(A950DT, 'INT8 not disclosed'),
      fp4: fact(2000e12, 'estimate', HUAWEI_ROADMAP, 'ESTIMATE: same compute die as 950PR (MXFP4 2 PFLOPS, dense/sparse not stated)'),
    },
    scaleUp: {
      name: fact('UnifiedBus (Lingqu)', 'reported', HUAWEI_ROADMAP),
      bandwidthBytesPerSecond: fact(1e12, 'estimate', A950DT, 'ESTIMATE: 2 TB/s per chip, direction not stated; taken as bidirectional and halved'),
      domainSize: fact(8192, 'reported', A950DT, 'Atlas 950 SuperPoD = 8,192 chips (announced)'),
    },
    scaleOut: { name: unknownFact(A950DT, 'not announced'), bandwidthBytesPerSecond: unknownFact(A950DT, 'not announced') },
    tdpWatts: unknownFact(A950DT, 'not announced'),
    priceUsd: unknownFact(A950DT, 'no public price'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2026-Q4', 'reported', TIMELINE, 'planned (Huawei roadmap 2025-09-18); timing UNVERIFIED'),
    precisions: ['bf16', 'fp16', 'fp8', 'int8', 'fp4'],
    engines: ASCEND_ENGINES,
    exportStatus: 'Domestic; planned Q4 2026 (decode + training oriented). In-house HBM.',
  },
  // --- Cambricon -----------------------------------------------------------------------------
  {
    id: 'mlu370-x8', name: 'Cambricon MLU370-X8', vendor: 'Cambricon', family: 'cambricon', aliases: [],
    memoryBytes: fact(48e9, 'reported', MLU370),
    memoryType: fact('LPDDR5', 'reported', MLU370),
    memoryBandwidthBytesPerSecond: fact(614.4e9, 'reported', MLU370),
    peakFlopsPerSecond: {
      bf16: fact(96e12, 'reported', MLU370),
      fp8: notNative(MLU370, 'no FP8 on MLU370'),
      int8: fact(256e12, 'reported', MLU370),
      fp4: notNative(MLU370, 'no FP4/INT4 peak in the reference data'),
    },
    scaleUp: {
      name: fact('MLU-Link', 'reported', MLU370),
      bandwidthBytesPerSecond: fact(100e9, 'estimate', MLU370, 'ESTIMATE: 200 GB/s per card, direction not stated; taken as bidirectional and halved'),
      domainSize: fact(4, 'reported', MLU370, '4-card bridge (8 chips full mesh; one card holds two chips)'),
    },
    scaleOut: { name: unknownFact(MLU370, 'not in the reference data'), bandwidthBytesPerSecond: unknownFact(MLU370, 'not in the reference data') },
    tdpWatts: fact(250, 'reported', MLU370),
    priceUsd: unknownFact(MLU370, 'price not found'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2022', 'reported', MLU370),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic. Cambricon is on the US Entity List (added Dec 2022; not re-verified), limiting foundry access.',
    notes: 'Per card (two MLU370 chips).',
  },
  {
    id: 'mlu590', name: 'Cambricon MLU590', vendor: 'Cambricon', family: 'cambricon', aliases: [],
    memoryBytes: unknownFact(MLU590, 'no public datasheet found'),
    memoryType: unknownFact(MLU590, 'no public datasheet found'),
    memoryBandwidthBytesPerSecond: unknownFact(MLU590, 'no public datasheet found'),
    peakFlopsPerSecond: {
      bf16: unknownFact(MLU590, 'no public datasheet found'),
      fp8: unknownFact(MLU590, 'no public datasheet found'),
      int8: unknownFact(MLU590, 'no public datasheet found'),
      fp4: notNative(MLU590, 'no 4-bit support known'),
    },
    scaleUp: {
      name: fact('MLU-Link', 'reported', MLU590),
      bandwidthBytesPerSecond: unknownFact(MLU590, 'figures not found'),
      domainSize: unknownFact(MLU590, 'figures not found'),
    },
    scaleOut: { name: unknownFact(MLU590, 'not found'), bandwidthBytesPerSecond: unknownFact(MLU590, 'not found') },
    tdpWatts: unknownFact(MLU590, 'not found'),
    priceUsd: unknownFact(MLU590, 'not found'),
    priceDate: REFERENCE_DATE,
    availableFrom: unknownFact(MLU590, 'not found'),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic; Cambricon on the US Entity List.',
    notes: 'No public datasheet: every figure is unknown; do not use trade-press guesses without a source. Precisions are assumed (fp8 support is reported for this generation, UNVERIFIED).',
  },
  // --- Moore Threads -------------------------------------------------------------------------
  {
    id: 'mtt-s4000', name: 'Moore Threads MTT S4000', vendor: 'Moore Threads', family: 'moore-threads', aliases: ['s4000'],
    memoryBytes: fact(48e9, 'reported', S4000),
    memoryType: fact('GDDR6 (384-bit)', 'reported', S4000),
    memoryBandwidthBytesPerSecond: fact(768e9, 'reported', S4000),
    peakFlopsPerSecond: {
      bf16: fact(100e12, 'reported', S4000),
      fp8: notNative(S4000, 'no FP8 peak published for S4000'),
      int8: fact(200e12, 'reported', S4000),
      fp4: notNative(S4000, 'no 4-bit support known'),
    },
    scaleUp: {
      name: fact('MTLink 1.0', 'reported', S4000),
      bandwidthBytesPerSecond: fact(120e9, 'estimate', S4000, 'ESTIMATE: 240 GB/s, direction not stated; taken as bidirectional and halved'),
      domainSize: fact(8, 'estimate', S4000, 'ESTIMATE: 8 cards per KUAE server'),
    },
    scaleOut: { name: unknownFact(S4000, 'not in the reference data'), bandwidthBytesPerSecond: unknownFact(S4000, 'not in the reference data') },
    tdpWatts: fact(450, 'estimate', S4000, 'UNVERIFIED: TDP not found; 450 W often quoted'),
    priceUsd: unknownFact(S4000, 'price not found'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2023', 'reported', S4000),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic. Moore Threads added to the US Entity List Oct 2023.',
  },
  {
    id: 'mtt-s5000', name: 'Moore Threads MTT S5000', vendor: 'Moore Threads', family: 'moore-threads', aliases: ['s5000'],
    memoryBytes: fact(80e9, 'reported', S5000),
    memoryType: fact('HBM (likely; not stated)', 'estimate', S5000, 'ESTIMATE: memory type not stated by the vendor'),
    memoryBandwidthBytesPerSecond: fact(1.6e12, 'reported', S5000),
    peakFlopsPerSecond: {
      bf16: unknownFact(S5000, 'not published'),
      fp8: fact(1000e12, 'estimate', S5000, "ESTIMATE: '1000 TFLOPS' single-card FP8 claim, dense/sparse not stated; taken as dense"),
      int8: unknownFact(S5000, 'not published'),
      fp4: notNative(S5000, 'no 4-bit support known'),
    },
    scaleUp: {
      name: fact('MTLink', 'reported', S5000),
      bandwidthBytesPerSecond: fact(392e9, 'estimate', S5000, 'ESTIMATE: 784 GB/s inter-card, direction not stated; taken as bidirectional and halved'),
      domainSize: unknownFact(S5000, 'not published'),
    },
    scaleOut: { name: unknownFact(S5000, 'not published'), bandwidthBytesPerSecond: unknownFact(S5000, 'not published') },
    tdpWatts: unknownFact(S5000, 'not published'),
    priceUsd: unknownFact(S5000, 'price not found'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2025', 'estimate', S5000, 'UNVERIFIED: launch year uncertain (publicised 2025)'),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic (Entity-Listed vendor).',
    notes: 'Vendor claims prefill >4,000 tok/s and decode >1,000 tok/s per card with SiliconFlow (unverified).',
  },
  // --- MetaX ---------------------------------------------------------------------------------
  {
    id: 'metax-c500', name: 'MetaX Xiyun C500', vendor: 'MetaX', family: 'metax', aliases: ['c500'],
    memoryBytes: fact(64e9, 'estimate', C500, 'UNVERIFIED: recalled vendor figure'),
    memoryType: fact('HBM2e', 'estimate', C500, 'UNVERIFIED: recalled vendor figure'),
    memoryBandwidthBytesPerSecond: fact(1.8e12, 'estimate', C500, 'UNVERIFIED: recalled vendor figure'),
    peakFlopsPerSecond: {
      bf16: fact(280e12, 'estimate', C500, 'UNVERIFIED: recalled vendor figure'),
      fp8: notNative(C500, 'no FP8 on C500 (C600 adds it)'),
      int8: fact(560e12, 'estimate', C500, 'UNVERIFIED: recalled vendor figure'),
      fp4: notNative(C500, 'no 4-bit support known'),
    },
    scaleUp: {
      name: fact('MetaXLink', 'reported', C500),
      bandwidthBytesPerSecond: unknownFact(C500, 'MetaXLink bandwidth UNVERIFIED'),
      domainSize: unknownFact(C500, 'not in the reference data'),
    },
    scaleOut: { name: unknownFact(C500, 'not in the reference data'), bandwidthBytesPerSecond: unknownFact(C500, 'not in the reference data') },
    tdpWatts: fact(350, 'estimate', C500, 'UNVERIFIED: recalled vendor figure'),
    priceUsd: unknownFact(C500, 'price not found'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2024-02', 'reported', C500),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic; C500 series ~98% of MetaX 2024 revenue.',
    notes: 'Verified only: FP32 ~15 TFLOPS, vendor claims A100-comparable. Memory, bandwidth, peaks and TDP are UNVERIFIED.',
  },
  {
    id: 'metax-c600', name: 'MetaX Xiyun C600', vendor: 'MetaX', family: 'metax', aliases: ['c600'],
    memoryBytes: unknownFact(C600, 'capacity not disclosed'),
    memoryType: fact('HBM3e', 'reported', C600),
    memoryBandwidthBytesPerSecond: unknownFact(C600, 'bandwidth not disclosed'),
    peakFlopsPerSecond: {
      bf16: unknownFact(C600, 'not disclosed'),
      fp8: unknownFact(C600, 'not disclosed (FP8 supported)'),
      int8: unknownFact(C600, 'not disclosed'),
      fp4: notNative(C600, 'no 4-bit support announced'),
    },
    scaleUp: {
      name: fact('MetaXLink (supernode scale-up)', 'reported', C600),
      bandwidthBytesPerSecond: unknownFact(C600, 'not disclosed'),
      domainSize: unknownFact(C600, 'not disclosed'),
    },
    scaleOut: { name: unknownFact(C600, 'not disclosed'), bandwidthBytesPerSecond: unknownFact(C600, 'not disclosed') },
    tdpWatts: unknownFact(C600, 'not disclosed'),
    priceUsd: unknownFact(C600, 'not disclosed'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2026', 'reported', C600, 'mass production expected H1 2026'),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: "Domestic; 'fully domestic supply chain' incl. memory/packaging; mass production expected H1 2026.",
  },
  // --- Kunlunxin, Hygon, Biren ---------------------------------------------------------------
  {
    id: 'kunlunxin-p800', name: 'Kunlunxin P800', vendor: 'Kunlunxin', family: 'kunlun', aliases: ['p800'],
    memoryBytes: fact(96e9, 'reported', P800, "from a vLLM-Kunlun deployment note ('8x96G P800-OAM')"),
    memoryType: unknownFact(P800, 'not found'),
    memoryBandwidthBytesPerSecond: unknownFact(P800, 'not found'),
    peakFlopsPerSecond: {
      bf16: unknownFact(P800, 'not found'),
      fp8: notNative(P800, 'no FP8 support confirmed'),
      int8: unknownFact(P800, 'not found'),
      fp4: notNative(P800, 'no 4-bit support known'),
    },
    scaleUp: {
      name: fact('Kunlunxin XPU link (OAM)', 'reported', P800),
      bandwidthBytesPerSecond: unknownFact(P800, 'not found'),
      domainSize: fact(8, 'reported', P800, "8x P800-OAM servers; Tianchi supernodes of 256-512 chips are announced"),
    },
    scaleOut: { name: unknownFact(P800, 'not found'), bandwidthBytesPerSecond: unknownFact(P800, 'not found') },
    tdpWatts: unknownFact(P800, 'not found'),
    priceUsd: unknownFact(P800, 'not disclosed'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2025', 'reported', P800),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic; Baidu runs a 30,000-chip P800 cluster; successors M100 (inference, early 2026), M300 (2027).',
  },
  {
    id: 'hygon-k100', name: 'Hygon DCU K100 (K100-AI)', vendor: 'Hygon', family: 'hygon', aliases: ['k100'],
    memoryBytes: fact(64e9, 'estimate', K100, 'UNVERIFIED: 64 GB often quoted; no spec retrieved'),
    memoryType: fact('HBM2e', 'estimate', K100, 'UNVERIFIED: often quoted; no spec retrieved'),
    memoryBandwidthBytesPerSecond: unknownFact(K100, 'no spec retrieved'),
    peakFlopsPerSecond: {
      bf16: unknownFact(K100, 'no spec retrieved'),
      fp8: notNative(K100, 'no FP8 support confirmed'),
      int8: unknownFact(K100, 'no spec retrieved'),
      fp4: notNative(K100, 'no 4-bit support known'),
    },
    scaleUp: {
      name: unknownFact(K100, 'no spec retrieved'),
      bandwidthBytesPerSecond: unknownFact(K100, 'no spec retrieved'),
      domainSize: unknownFact(K100, 'no spec retrieved'),
    },
    scaleOut: { name: unknownFact(K100, 'no spec retrieved'), bandwidthBytesPerSecond: unknownFact(K100, 'no spec retrieved') },
    tdpWatts: unknownFact(K100, 'no spec retrieved'),
    priceUsd: unknownFact(K100, 'not found'),
    priceDate: REFERENCE_DATE,
    availableFrom: unknownFact(K100, 'not found'),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic; Hygon on the US Entity List since 2019 (not re-verified).',
  },
  {
    id: 'biren-br100', name: 'Biren BR100', vendor: 'Biren', family: 'biren', aliases: ['br100'],
    memoryBytes: fact(64e9, 'reported', BR100),
    memoryType: fact('HBM2e', 'reported', BR100),
    memoryBandwidthBytesPerSecond: fact(1.64e12, 'estimate', BR100, 'UNVERIFIED: one source lists 2.3 TB/s as memory bandwidth'),
    peakFlopsPerSecond: {
      bf16: fact(1024e12, 'estimate', BR100, 'ESTIMATE: vendor peak, sparsity not stated; taken as dense'),
      fp8: notNative(BR100, 'no FP8 on BR100'),
      int8: fact(2048e12, 'estimate', BR100, 'ESTIMATE: vendor peak, sparsity not stated; taken as dense'),
      fp4: notNative(BR100, 'no 4-bit support known'),
    },
    scaleUp: {
      name: fact('BLink', 'reported', BR100),
      bandwidthBytesPerSecond: fact(1.15e12, 'estimate', BR100, 'ESTIMATE: 2.3 TB/s aggregate over 8 lanes, taken as bidirectional and halved'),
      domainSize: fact(8, 'estimate', BR100, 'ESTIMATE: 8 BLink lanes, assumed an 8-card OAM server'),
    },
    scaleOut: { name: fact('PCIe 5.0 + CXL host', 'reported', BR100), bandwidthBytesPerSecond: unknownFact(BR100, 'depends on the server build') },
    tdpWatts: fact(550, 'reported', BR100),
    priceUsd: unknownFact(BR100, 'price not found'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2022', 'reported', BR100),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic; Biren added to the Entity List Oct 2023. Designed on TSMC N7; 2026 production status UNVERIFIED.',
  },
  {
    id: 'biren-br104', name: 'Biren BR104', vendor: 'Biren', family: 'biren', aliases: ['br104'],
    memoryBytes: fact(32e9, 'reported', BR104),
    memoryType: fact('HBM2e', 'reported', BR104),
    memoryBandwidthBytesPerSecond: fact(819e9, 'reported', BR104),
    peakFlopsPerSecond: {
      bf16: fact(512e12, 'estimate', BR104, 'ESTIMATE: vendor peak, sparsity not stated; taken as dense'),
      fp8: notNative(BR104, 'no FP8 on BR104'),
      int8: fact(1024e12, 'estimate', BR104, 'ESTIMATE: vendor peak, sparsity not stated; taken as dense'),
      fp4: notNative(BR104, 'no 4-bit support known'),
    },
    scaleUp: {
      name: fact('PCIe 5.0 x16 (FHFL card)', 'reported', BR104),
      bandwidthBytesPerSecond: fact(64e9, 'estimate', BR104, 'ESTIMATE: PCIe 5.0 x16, ~64 GB/s per direction'),
      domainSize: unknownFact(BR104, 'depends on the server build'),
    },
    scaleOut: { name: unknownFact(BR104, 'depends on the server build'), bandwidthBytesPerSecond: unknownFact(BR104, 'depends on the server build') },
    tdpWatts: fact(300, 'reported', BR104),
    priceUsd: unknownFact(BR104, 'price not found'),
    priceDate: REFERENCE_DATE,
    availableFrom: fact('2022', 'reported', BR104),
    precisions: ['bf16', 'fp16', 'int8'],
    engines: DOMESTIC_ENGINES,
    exportStatus: 'Domestic; Entity-Listed vendor (Oct 2023).',
  },
  // --- ByteDance -----------------------------------------------------------------------------
  {
    id: 'inhouse-h20class', name: "ByteDance in-house inference ASIC ('SeedChip', H20-class) - PLACEHOLDER", vendor: 'ByteDance', family: 'inhouse', aliases: ['seedchip'],
    memoryBytes: fact(96e9, 'assumption', INHOUSE, 'placeholder copied from H20'),
    memoryType: fact('HBM (assumed)', 'assumption', INHOUSE, 'HBM supply via Samsung under discussion'),
    memoryBandwidthBytesPerSecond: fact(4.0e12, 'assumption', INHOUSE, 'placeholder copied from H20'),
    peakFlopsPerSecond: {
      bf16: fact(148e12, 'assumption', INHOUSE, 'placeholder copied from H20'),
      fp8: fact(296e12, 'assumption', INHOUSE, 'placeholder copied from H20'),
      int8: fact(296e12, 'assumption', INHOUSE, 'placeholder copied from H20'),
      fp4: notNative(INHOUSE, 'placeholder copies H20, which has no FP4; override if the samples run 4-bit'),
    },
    scaleUp: {
      name: fact('PCIe / Ethernet only (assumed)', 'assumption', INHOUSE, 'reference data: UNKNOWN, assume PCIe/Ethernet scale-out only'),
      bandwidthBytesPerSecond: fact(64e9, 'assumption', INHOUSE, 'PCIe 5.0 x16 per direction assumed'),
      domainSize: fact(8, 'assumption', INHOUSE, '8 cards per server assumed'),
    },
    scaleOut: {
      name: fact('Ethernet (RoCE, assumed)', 'assumption', INHOUSE),
      bandwidthBytesPerSecond: fact(50e9, 'assumption', INHOUSE, '400 Gb/s per chip assumed'),
    },
    tdpWatts: fact(400, 'assumption', INHOUSE, 'placeholder copied from H20'),
    priceUsd: fact(6000, 'assumption', INHOUSE, "reported as 'H20-like performance at lower cost'; H20 ~ $10-12k"),
    priceDate: '2026-02',
    availableFrom: fact('2026', 'assumption', INHOUSE, 'Reuters (2026-02-11): samples end-March 2026, >=100k units in 2026; ByteDance denies'),
    precisions: ['bf16', 'fp16', 'fp8', 'int8'],
    engines: ['vllm', 'sglang', 'generic'],
    exportStatus:
      'Domestic design, but foreign fab (Samsung/TSMC) and HBM: the Dec-2024 HBM rule requires a US licence for HBM to entities headquartered in China. Reuters (2026-02-11): samples end-March 2026, >=100k units in 2026, up to 350k; ByteDance denies.',
    notes:
      'PLACEHOLDER: every figure is an assumption copied from H20 ("H20-like performance at a lower price"). Override with sample measurements (overrideAccelerator or the fleet config).',
  },
] as const satisfies readonly AcceleratorSpec[];

/** Id of an accelerator in the catalogue. */
export type AcceleratorId = (typeof ACCELERATORS)[number]['id'];
