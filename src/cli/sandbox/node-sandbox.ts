/**
 * The CLI's sandbox: one child process per run, confined by Node's permission model and, on Linux,
 * by a network namespace of its own (docs/sandbox.md says why this mechanism and what it holds).
 *
 *   node --experimental-permission --allow-fs-read=<packages>   no writes, no other reads,
 *        --max-old-space-size=<cap>                              no child processes, no workers
 *        <bundle of src/sandbox/node-entry.ts>
 *   env {}                                                       no environment
 *   unshare --user --map-root-user --net (Linux, where allowed)   no network interface but loopback
 *
 * Only the packages are readable: the child reads no dataset, no submission and no set. Training
 * data and pretrained model files come from the host over the IPC channel (the run protocol), so
 * the test split and a set's private test never enter it. The host also watches the child's
 * resident memory and kills it past a cap (WASM memory is outside the JavaScript heap's limit).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Duplex } from 'node:stream';
import { relayStream } from '@cv-lab/runtime/data-parallel';
import { nodeDataParallelHelpers, startNodeGradientHelper } from '../data-parallel/node-helpers';
import { HELPER_FD, TRAINING_HELPERS_FLAG } from '../../core/sandbox/protocol';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { HostMessage, SandboxChannel } from '../../core/sandbox/protocol';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = join(REPO_ROOT, 'node_modules');
const BUNDLE_DIR = join(PACKAGES, '.cache', 'cv-lab');
const ENTRY = fileURLToPath(new URL('../../sandbox/node-entry.ts', import.meta.url));

export interface NodeSandboxOptions {
  /** Where the child's stdout and stderr go (output that bypasses `console`); stderr by default. */
  onOutput?: (chunk: string) => void;
  /** Resident memory at which the child is killed; by default `sandboxMemoryCapBytes()`. */
  memoryCapBytes?: number;
  /**
   * Gradient helpers for the child's unseeded training (packages/runtime/src/data-parallel): worker
   * threads of this process, each reached by the child through a pipe of its own (the child may
   * start no thread). By default one per core besides the child's (`nodeDataParallelHelpers`).
   */
  trainingHelpers?: number;
  /**
   * Each helper's share of memory: by default the child's cap divided among the helpers, so that
   * the helpers together hold no more than the child may (gradient-helper.ts refuses a larger model).
   */
  helperMemoryBytes?: number;
}

/** How the child is confined on this machine, for messages and docs. */
export interface Confinement {
  permissionModel: true;
  networkNamespace: boolean;
}

let bundled: string | undefined;

/**
 * Bundles the entry and core into one ES module next to the packages (so `@tensorflow/*`
 * resolves), once per CLI process. The file is named by its content's hash: two checkouts sharing
 * one `node_modules` (git worktrees) never run each other's sandbox, and a concurrent CLI writing
 * the same file renames over it with the same bytes.
 */
export async function sandboxBundle(): Promise<string> {
  if (bundled) return bundled;
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    write: false,
    external: ['@tensorflow/*'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].text;
  const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
  const bundle = join(BUNDLE_DIR, `sandbox-node-${hash}.mjs`);
  if (!existsSync(bundle) || readFileSync(bundle, 'utf8') !== code) {
    mkdirSync(BUNDLE_DIR, { recursive: true });
    const temporary = `${bundle}.${process.pid}.tmp`;
    writeFileSync(temporary, code);
    renameSync(temporary, bundle);
  }
  bundled = bundle;
  return bundle;
}

let networkNamespace: boolean | undefined;

/** Whether this machine lets us give the child a network namespace (Linux user namespaces). */
export function canIsolateNetwork(): boolean {
  if (networkNamespace === undefined) {
    if (process.platform !== 'linux') networkNamespace = false;
    else {
      const probe = spawnSync('unshare', ['--user', '--map-root-user', '--net', 'true'], { stdio: 'ignore' });
      networkNamespace = probe.status === 0;
    }
  }
  return networkNamespace;
}

export function confinement(): Confinement {
  return { permissionModel: true, networkNamespace: canIsolateNetwork() };
}

/**
 * The child's memory cap: half the machine's memory, at most 8 GB. The JavaScript heap gets a
 * quarter of that; tensors live in WASM memory (at most 4 GB in a 32-bit WASM instance).
 */
export function sandboxMemoryCapBytes(): number {
  return Math.min(8 * 2 ** 30, totalmem() / 2);
}

/** Starts a sandbox child and returns the host's channel to it. Call `sandboxBundle()` first. */
export function openNodeSandbox(options: NodeSandboxOptions = {}): SandboxChannel {
  if (!bundled) throw new Error('openNodeSandbox: call sandboxBundle() first');
  const capBytes = options.memoryCapBytes ?? sandboxMemoryCapBytes();
  const helpers = options.trainingHelpers ?? nodeDataParallelHelpers();
  const heapMb = Math.max(512, Math.floor(capBytes / 4 / 2 ** 20));
  // The permission model compares real paths: a linked node_modules is granted where it really is.
  const readable = realpathSync(PACKAGES);
  const nodeArgs = [
    '--experimental-permission',
    `--allow-fs-read=${readable}/*`,
    `--max-old-space-size=${heapMb}`,
    '--no-warnings',
    '--disable-proto=delete',
    // Its real path too: Node resolves the main script through a linked node_modules, and may
    // read only under the real one.
    realpathSync(bundled),
    `${TRAINING_HELPERS_FLAG}${helpers}`,
  ];
  const [command, args] = canIsolateNetwork()
    ? ['unshare', ['--user', '--map-root-user', '--net', process.execPath, ...nodeArgs]]
    : [process.execPath, nodeArgs];
  const child: ChildProcess = spawn(command, args as string[], {
    // fd 4 onwards: one pipe per gradient helper (node-entry.ts reads and writes them blocking).
    stdio: ['ignore', 'pipe', 'pipe', 'ipc', ...Array.from({ length: helpers }, () => 'pipe' as const)],
    serialization: 'advanced',
    env: {},
    cwd: PACKAGES,
  });
  const write = options.onOutput ?? ((chunk: string) => process.stderr.write(chunk));
  child.stdout?.setEncoding('utf8').on('data', write);
  let stderrTail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderrTail = (stderrTail + chunk).slice(-4000);
    write(chunk);
  });

  const helperMemory = options.helperMemoryBytes ?? Math.floor(capBytes / Math.max(1, helpers));
  const relays = Array.from({ length: helpers }, (_, index) => {
    const pipe = child.stdio[HELPER_FD + index] as Duplex;
    pipe.on('error', () => undefined);
    return relayStream(
      { onData: (listener) => pipe.on('data', listener), write: (bytes) => void pipe.write(bytes) },
      () => startNodeGradientHelper({ memoryLimitBytes: helperMemory }),
      // A job holds the model's weights and a slice of a batch: a quarter of the child's memory
      // is more than any the child can hold twice.
      { maxFrameBytes: Math.min(2 ** 30, Math.floor(capBytes / 4)), timeoutMs: 120_000 },
    );
  });
  const stopRelays = () => relays.forEach((relay) => relay.stop());

  const exitListeners: ((reason: string, outOfMemory: boolean) => void)[] = [];
  let closed = false;
  let killedForMemory = false;
  const memoryWatch = setInterval(() => {
    const rss = residentBytes(child.pid);
    if (rss !== null && rss > capBytes) {
      killedForMemory = true;
      child.kill('SIGKILL');
    }
  }, 1000);
  memoryWatch.unref();
  child.on('exit', (code, signal) => {
    clearInterval(memoryWatch);
    stopRelays();
    if (closed) return;
    const heapOut = /heap out of memory|Allocation failed/i.test(stderrTail);
    const outOfMemory = killedForMemory || heapOut;
    const reason = killedForMemory
      ? `out of memory (more than ${formatGb(capBytes)} resident)`
      : heapOut
        ? `out of memory (${heapMb} MB JavaScript heap)`
        : `the sandbox exited (${signal ?? `code ${code}`}) before it finished${lastLine(stderrTail)}`;
    exitListeners.forEach((listener) => listener(reason, outOfMemory));
  });
  child.on('error', (error) => {
    if (!closed)
      exitListeners.forEach((listener) => listener(`the sandbox could not start: ${error.message}`, false));
  });

  return {
    send(message: HostMessage) {
      if (!closed && child.connected) child.send(message);
    },
    onMessage(listener) {
      child.on('message', listener);
    },
    onExit(listener) {
      exitListeners.push(listener);
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(memoryWatch);
      stopRelays();
      child.kill('SIGKILL');
    },
  };
}

function residentBytes(pid: number | undefined): number | null {
  if (!pid || process.platform !== 'linux') return null;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    return null;
  }
}

function lastLine(text: string): string {
  const line = text
    .trim()
    .split('\n')
    .filter((l) => l.trim() && !/^\s+at /.test(l))
    .at(-1);
  return line ? `: ${line.trim().slice(0, 300)}` : '';
}

function formatGb(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GB`;
}
