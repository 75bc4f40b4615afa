/** The dataset format and its loaders: one import for the rest of the core, the worker and the CLI. */
export * from './types';
export * from './errors';
export * from './manifest';
export { datasetHash, loadDataset, loadSampleSheet, readManifest } from './load';
export type { LoadedSampleSheet, LoadOptions } from './load';
export * from './build';
export * from './tensors';
export { fetchDatasetReader } from './fetch-reader';
export * from './sample-sheet';
