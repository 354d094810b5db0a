/** @module The public surface of tokenfleet: catalogue, performance model, simulator, model-config loader and errors, as named exports. */

// Catalogue: accelerators, engines, models.
export { ACCELERATORS, type AcceleratorId } from './core/catalogue/accelerators.js';
export type { AcceleratorFamily, AcceleratorSpec, EngineId, Vendor } from './core/catalogue/accelerator-spec.js';
export { getAccelerator, listAccelerators, overrideAccelerator, type AcceleratorOverrides } from './core/catalogue/find-accelerator.js';
export { ENGINES, getEngine, listEngines, type BatchingPolicy, type EngineSpec } from './core/catalogue/engines.js';
export type { Confidence, Fact } from './core/catalogue/fact.js';
export type { Precision } from './core/catalogue/precision.js';
export type { AttentionShape, LayerAttentionKind, LinearMixerSpec, MlaSpec, ModelSpec, MoeSpec } from './core/catalogue/model-spec.js';
export { parseModelConfig, type ParseModelConfigOptions } from './core/catalogue/parse-model-config.js';
export {
  kvBytesForSequence,
  kvBytesPerToken,
  parameterBreakdown,
  weightBytes,
  type ParameterBreakdown,
  type WeightBytesOptions,
} from './core/catalogue/model-size.js';

// Performance model: deployment, memory, step time, calibration.
export { makeDeployment, type Deployment, type DeploymentInput, type ParallelConfig, type PrecisionConfig } from './core/perf/deployment.js';
export { planMemory, type MemoryPlan } from './core/perf/memory-plan.js';
export { batchOf, compileStepModel, type BatchShape, type StepModel, type StepTimeBreakdown } from './core/perf/step-time.js';
export { calibrationFor } from './core/perf/calibration.js';
export type { Calibration, CalibrationSource, Efficiencies, ErrorBand } from './core/perf/efficiency.js';

// Simulator: replica scheduler, closed loop, serving estimate.
export { ReplicaScheduler, newRequest, type ReplicaSchedulerConfig, type RequestStatus, type ScheduledRequest } from './sim/replica-scheduler.js';
export { runClosedLoop, type ClosedLoopInput, type ClosedLoopResult, type PoolSpec } from './sim/closed-loop.js';
export { estimateServing, type ServingEstimate, type ServingEstimateInput, type WorkerLayout } from './sim/estimate-serving.js';

// Model configs: the shipped collection, extra directories, or a file.
export { listBuiltinModels, loadModelConfigFile, resolveModel, type ResolvedModel } from './config/model-registry.js';

// Errors: every error a user can cause derives from TokenfleetError.
export { InvalidInputError, NoSuchEntryError, TokenfleetError } from './core/errors.js';
export { UnsupportedError } from './core/perf/hardware-rates.js';
