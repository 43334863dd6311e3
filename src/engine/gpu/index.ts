/** The tfjs (float32) path for tiny networks: backend selection, the network problem, benchmarks' API. */
export * from './types.ts';
export { TfMlp, tfMlpFor, type GdOptions } from './tf-mlp.ts';
export {
  selectBackend,
  tryBackend,
  activeBackend,
  deviceKey,
  environmentBackends,
  mapStorage,
  mlpCalibration,
  type KeyValueStore,
  type SelectOptions,
} from './backend.ts';
export { topEigAsync, type TopEigOptions } from './top-eig.ts';
export { measureTfMlp, measureBackends, type TfTiming, type MeasureOptions } from './measure.ts';
export { TfSyncProblem, tfSyncProblemFor } from './sync-problem.ts';
export {
  networkProblemOn,
  ENGINE_CHOICES,
  ENGINE_LABELS,
  ENGINE_STORAGE_PREFIX,
  WEBGPU_SYNC,
  WEBGPU_SYNC_NOTE,
  type EngineChoice,
  type EngineInfo,
  type EngineProblem,
  type EngineOptions,
} from './engine-backend.ts';
