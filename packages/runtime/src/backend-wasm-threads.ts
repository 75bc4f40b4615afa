/**
 * tfjs's WASM backend on its threaded build (XNNPACK's thread pool on pthreads), started by us.
 *
 * tfjs 4.22 starts the threaded build itself only where it can hand each pthread worker the text of
 * its own glue code (`WasmBackendModuleThreadedSimd.toString()`): once a bundler has renamed and
 * minified that function the workers fail ("e is not defined"), and in Node tfjs never tries. So we
 * register the 'wasm' backend ourselves, with what the environment can give: the glue's factory for
 * this thread, the glue's unbundled text or path for the workers, the pthread worker script and the
 * binary. Our kernels (simd-kernels.ts) run on the same shared memory (their shared-memory build).
 *
 * The thread count: tfjs caps the pool at `emscripten_num_logical_cores() / 2` (it assumes two
 * hardware threads per core), and at 8, the workers the build starts up front. We answer the
 * logical-cores question with twice the count asked for, so `threads` is what the pool gets, up to 8.
 *
 * `setWasmThreads(tf, sources, 1)` gives back tfjs's own single-threaded registration, the fallback
 * wherever shared memory is missing (a page that is not cross-origin isolated).
 */
import { BackendWasm, setThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import type { TF } from './tf';
import { MAX_WASM_THREADS } from './wasm-threads-count';

/** The Emscripten module of the threaded build, as far as we use it. */
interface ThreadedModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: number[]) => unknown;
  tfjs?: unknown;
}

export type ThreadedWasmFactory = (config: Record<string, unknown>) => Promise<ThreadedModule>;

/** Where the threaded build's parts come from in this environment. */
export interface ThreadedWasmSources {
  /** The glue's factory (its module export), run on this thread. */
  factory: ThreadedWasmFactory;
  /**
   * What each pthread worker loads to define the same factory: the glue's unbundled text as a Blob
   * (browsers) or its file path (Node).
   */
  glue: Blob | string;
  /** The pthread worker script: a URL (browsers: a blob: URL of `pthreadWorkerScript()`) or a file path (Node). */
  pthreadWorker: string;
  /** The bytes of `tfjs-backend-wasm-threaded-simd.wasm`. */
  wasmBinary: () => Promise<BufferSource>;
}

/** Whether this context can run the threaded build: shared memory that can be posted to workers. */
export function wasmThreadsPossible(): boolean {
  const scope = globalThis as { crossOriginIsolated?: boolean; process?: { versions?: { node?: string } } };
  if (typeof SharedArrayBuffer === 'undefined') return false;
  // Node has no isolation to ask for; a browser context needs it for SharedArrayBuffer to be posted.
  if (scope.process?.versions?.node) return true;
  return scope.crossOriginIsolated === true;
}

interface Registration {
  factory: () => Promise<unknown>;
  priority: number;
}

/** tfjs's own registration of 'wasm', kept the first time we replace it (per tfjs instance). */
const shippedRegistrations = new WeakMap<object, Registration>();
/** What 'wasm' is registered with now (per tfjs instance): re-registering the same is a no-op. */
const current = new WeakMap<object, { sources: ThreadedWasmSources | null; threads: number }>();

/**
 * Makes 'wasm' start with `threads` threads (1: tfjs's own single-threaded build). An existing
 * 'wasm' backend instance is disposed when the count changes, so call it before training, then
 * `tf.setBackend('wasm')`. Returns the count that will be asked for (1 to `MAX_WASM_THREADS`).
 */
export function setWasmThreads(tf: TF, sources: ThreadedWasmSources | null, threads: number): number {
  const wanted =
    !sources || !wasmThreadsPossible() ? 1 : Math.max(1, Math.min(MAX_WASM_THREADS, Math.floor(threads)));
  const registry = tf.engine().registryFactory as Record<string, Registration | undefined>;
  const shipped = shippedRegistrations.get(tf) ?? registry.wasm;
  if (!shipped)
    throw new Error('the WASM backend is not registered: import @tensorflow/tfjs-backend-wasm first');
  shippedRegistrations.set(tf, shipped);
  const now = current.get(tf) ?? { sources: null, threads: 1 };
  const same = now.threads === wanted && (wanted === 1 || now.sources === sources);
  if (same && registry.wasm) return wanted;
  tf.removeBackend('wasm');
  if (wanted === 1 || !sources) {
    tf.registerBackend('wasm', shipped.factory as () => Promise<BackendWasm>, shipped.priority);
  } else {
    tf.registerBackend('wasm', () => startOrFallBack(tf, sources, wanted, shipped), shipped.priority);
  }
  current.set(tf, { sources: wanted === 1 ? null : sources, threads: wanted });
  return wanted;
}

/** The thread count of the running 'wasm' backend (1 for the single-threaded build). */
export function wasmBackendThreads(tf: TF): number {
  const backend = tf.findBackend('wasm') as unknown as {
    wasm?: { tfjs?: { getThreadsCount?: () => number } };
  };
  const count = backend?.wasm?.tfjs?.getThreadsCount?.();
  return typeof count === 'number' && count > 0 ? count : 1;
}

/** Seconds the threaded build may take to start its workers before WASM falls back to one thread. */
const THREADED_START_SECONDS = 60;

/**
 * The threaded build, or tfjs's single-threaded one where it fails or hangs (a pthread worker that
 * cannot load its script never reports back): WASM must train either way. The reason goes to the
 * console, and `wasmBackendThreads` then says 1.
 */
async function startOrFallBack(
  tf: TF,
  sources: ThreadedWasmSources,
  threads: number,
  shipped: Registration,
): Promise<BackendWasm> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`its workers did not start within ${THREADED_START_SECONDS} s`)),
      THREADED_START_SECONDS * 1000,
    );
  });
  try {
    return await Promise.race([startThreadedBackend(sources, threads), timeout]);
  } catch (error) {
    console.warn(`WASM runs on one thread: the threaded build did not start (${(error as Error).message})`);
    return (await shipped.factory()) as BackendWasm;
  } finally {
    clearTimeout(timer);
  }
}

async function startThreadedBackend(sources: ThreadedWasmSources, threads: number): Promise<BackendWasm> {
  const binary = await sources.wasmBinary();
  // Emscripten takes the instance through a callback; a failed instantiation must fail the start.
  let failInstantiation: (error: unknown) => void = () => {};
  const instantiationFailed = new Promise<never>((_, reject) => (failInstantiation = reject));
  const module = await Promise.race([
    sources.factory({
      mainScriptUrlOrBlob: sources.glue,
      locateFile: (path: string) => (path.endsWith('.worker.js') ? sources.pthreadWorker : path),
      instantiateWasm: (
        imports: { env: Record<string, unknown> },
        receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
      ) => {
        imports.env = { ...imports.env, emscripten_num_logical_cores: () => 2 * threads };
        WebAssembly.instantiate(binary, imports as unknown as WebAssembly.Imports).then(
          (result) => receive(result.instance, result.module),
          failInstantiation,
        );
        return {};
      },
    }),
    instantiationFailed,
  ]);
  // The bridge tfjs's own init() adds (backend_wasm.js), under the same names.
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  setThreadsCount(threads);
  return new BackendWasm(module as unknown as ConstructorParameters<typeof BackendWasm>[0]);
}

/**
 * The pthread worker script of the threaded build (tfjs ships it as a string). Its escaped newlines
 * became real ones in that string; inside its string literals they must be escapes again, as tfjs
 * does before making a Blob of it.
 */
export function pthreadWorkerScript(contents: string): string {
  return contents.replace(/\n/g, '\\n');
}
