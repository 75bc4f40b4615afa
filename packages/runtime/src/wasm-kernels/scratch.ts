/**
 * Runs the WASM backend's own (XNNPACK-backed) kernels from inside one of our kernels, below the
 * engine: no tape, no tensor bookkeeping, no extra copies. Every intermediate result is recorded and
 * freed by `dispose()`; the one result a kernel hands back is taken out of the record with `keep()`.
 *
 * Why not tf ops inside a kernel: data of a tensor made by an op belongs to the engine, which frees
 * it when that tensor is disposed, so handing it back as a kernel output frees it under the caller.
 */
import { getKernel, type DataType, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type WasmBackend = BackendWasm;

export class WasmScratch {
  private readonly owned = new Set<object>();

  constructor(readonly backend: WasmBackend) {}

  /** Calls the kernel registered for 'wasm' under `kernelName` and records its output. */
  run(kernelName: string, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap = {}): TensorInfo {
    const config = getKernel(kernelName, 'wasm');
    if (config == null) {
      throw new Error(`wasm kernel ${kernelName} is not registered`);
    }
    const result = config.kernelFunc({ inputs, attrs, backend: this.backend });
    const out = Array.isArray(result) ? result[0] : result;
    this.owned.add(out.dataId);
    return out;
  }

  /** A new, zero-filled float32 buffer, recorded like any intermediate. */
  zeros(shape: number[], dtype: DataType = 'float32'): TensorInfo {
    const out = this.backend.makeOutput(shape, dtype);
    this.backend.typedArrayFromHeap(out).fill(0);
    this.owned.add(out.dataId);
    return out;
  }

  /** A new buffer that the caller fills; recorded like any intermediate. */
  empty(shape: number[], dtype: DataType = 'float32'): TensorInfo {
    const out = this.backend.makeOutput(shape, dtype);
    this.owned.add(out.dataId);
    return out;
  }

  /** The same data seen with another shape (row-major order is unchanged, so no copy is needed). */
  view(info: TensorInfo, shape: number[]): TensorInfo {
    return { dataId: info.dataId, shape, dtype: info.dtype };
  }

  /** Takes `info` out of the record so that it survives `dispose()`: the kernel's output. */
  keep(info: TensorInfo): TensorInfo {
    this.owned.delete(info.dataId);
    return info;
  }

  dispose(): void {
    for (const dataId of this.owned) {
      this.backend.disposeData(dataId);
    }
    this.owned.clear();
  }
}

/** Runs `body` with a fresh scratch and frees every intermediate it did not keep, even on error. */
export function withScratch(backend: WasmBackend, body: (s: WasmScratch) => TensorInfo): TensorInfo {
  const scratch = new WasmScratch(backend);
  try {
    return scratch.keep(body(scratch));
  } finally {
    scratch.dispose();
  }
}
