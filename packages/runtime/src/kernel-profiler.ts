/**
 * Times every kernel the current backend runs, by kernel name, by wrapping the registered kernel
 * functions for the duration of `profileKernels`. Only the outermost kernel of a nested call is
 * counted (our WASM gradient kernels call other kernels), so the times add up to the step's kernel
 * time. Meant for synchronous backends (wasm, cpu): on GPU backends it measures only dispatch.
 */
import {
  getKernelsForBackend,
  registerKernel,
  unregisterKernel,
  type KernelConfig,
} from '@tensorflow/tfjs-core';

export interface KernelTime {
  kernelName: string;
  calls: number;
  ms: number;
}

export async function profileKernels(backendName: string, body: () => Promise<void>): Promise<KernelTime[]> {
  const originals = getKernelsForBackend(backendName);
  const times = new Map<string, KernelTime>();
  let depth = 0;
  const now = () => performance.now();
  for (const original of originals) {
    const timed: KernelConfig = {
      ...original,
      kernelFunc: (args) => {
        if (depth > 0) {
          return original.kernelFunc(args);
        }
        depth++;
        const start = now();
        try {
          return original.kernelFunc(args);
        } finally {
          depth--;
          const entry = times.get(original.kernelName) ?? {
            kernelName: original.kernelName,
            calls: 0,
            ms: 0,
          };
          entry.calls++;
          entry.ms += now() - start;
          times.set(original.kernelName, entry);
        }
      },
    };
    unregisterKernel(original.kernelName, backendName);
    registerKernel(timed);
  }
  try {
    await body();
  } finally {
    for (const original of originals) {
      unregisterKernel(original.kernelName, backendName);
      registerKernel(original);
    }
  }
  return [...times.values()].sort((a, b) => b.ms - a.ms);
}
