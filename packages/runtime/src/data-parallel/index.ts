/**
 * `@cv-lab/runtime/data-parallel`: one model's training steps split by rows across worker threads
 * (README.md). Imports no tfjs at load time: the caller hands its instance in.
 */
export { installDataParallelTraining } from './split-training';
export type { DataParallelOptions, DataParallelTraining } from './split-training';
export { relayStream, sharedMemoryLink, streamLink } from './helper-links';
export type { BlockingStream, HelperLink, RelayStream } from './helper-links';
export { GradientHelper, serveGradientHelper } from './gradient-helper';
export type { HelperConfig } from './gradient-helper';
export { bufferInbox, HELPER_READY, linkBrowserHelper, runGradientHelper } from './helper-worker';
