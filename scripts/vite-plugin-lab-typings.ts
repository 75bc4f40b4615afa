/**
 * Vite plugin: a virtual module `virtual:lab-typings` holding the `.d.ts` files Monaco needs to
 * complete `tf` and `Lab` with no network.
 *
 * The files are gathered at build time: every declaration file reachable from
 * `@tensorflow/tfjs`'s typings (about 600 files, 1.4 MB, instead of the 2,000 files in the packages'
 * `dist` folders), each package's `package.json` (so `import * as tf from '@tensorflow/tfjs'`
 * resolves in the editor), the WebGPU types tfjs-core references, and the `Lab` declarations from
 * `src/core/sandbox/lab.ts`, published as the module `cv-lab`.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import type { Plugin } from 'vite';

const virtualId = 'virtual:lab-typings';
const resolvedVirtualId = '\0' + virtualId;

/** `import ... from 'x'`, `export ... from 'x'`, `import 'x'` and `import('x')` in a declaration file. */
const importPattern =
  /^(?:import|export)\b[^;]*?from\s+['"]([^'"]+)['"]|^import\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
const referenceTypesPattern = /\/\/\/\s*<reference\s+types="([^"]+)"/g;

export interface LabTypingsOptions {
  /** The project root (holds node_modules and src). */
  root: string;
}

/** A file for Monaco's `addExtraLib`: its virtual path (`file:///node_modules/...`) and its text. */
export interface TypingFile {
  path: string;
  content: string;
}

function packageNameOf(specifier: string): { name: string; subpath: string } {
  const parts = specifier.split('/');
  const count = specifier.startsWith('@') ? 2 : 1;
  return { name: parts.slice(0, count).join('/'), subpath: parts.slice(count).join('/') };
}

function firstFile(candidates: string[]): string | null {
  for (const candidate of candidates) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

function resolveDeclaration(specifier: string, fromFile: string, nodeModules: string): string | null {
  let base: string;
  if (specifier.startsWith('.')) {
    base = path.resolve(path.dirname(fromFile), specifier);
  } else {
    const { name, subpath } = packageNameOf(specifier);
    const packageDir = path.join(nodeModules, name);
    if (!subpath) {
      const manifestPath = path.join(packageDir, 'package.json');
      if (!fs.existsSync(manifestPath)) return null;
      const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as {
        types?: string;
        typings?: string;
      };
      const types = manifest.types ?? manifest.typings ?? 'index.d.ts';
      return firstFile([path.join(packageDir, types), path.join(packageDir, types + '.d.ts')]);
    }
    base = path.join(packageDir, subpath);
  }
  return firstFile([base + '.d.ts', base, path.join(base, 'index.d.ts')]);
}

/** Every declaration file reachable from the entry files, following imports and type references. */
export function collectDeclarationClosure(entries: string[], nodeModules: string): Set<string> {
  const seen = new Set<string>();
  const queue = [...entries];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const resolved = resolveDeclaration(match[1] ?? match[2] ?? match[3], file, nodeModules);
      if (resolved) queue.push(resolved);
    }
    for (const match of text.matchAll(referenceTypesPattern)) {
      const resolved = resolveDeclaration(match[1], file, nodeModules);
      if (resolved) queue.push(resolved);
    }
  }
  return seen;
}

/** Declarations of `src/core/sandbox/lab.ts`, emitted file-locally (the file holds types only). */
/**
 * Declarations of the `Lab` type and every module of ours it imports (the augmentation API, ...),
 * as files of a virtual `cv-lab` package laid out like `src/core`, so relative imports between them
 * resolve in Monaco as they do in the repository. `index.d.ts` re-exports the Lab's module.
 */
export function labDeclarations(root: string): TypingFile[] {
  const core = path.join(root, 'src/core');
  const entry = path.join(core, 'sandbox/lab.ts');
  const files: TypingFile[] = [];
  const seen = new Set<string>();
  const queue = [entry];
  while (queue.length) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const source = fs.readFileSync(file, 'utf8');
    const output = ts.transpileDeclaration(source, {
      fileName: file,
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    });
    const relative = path.relative(core, file).split(path.sep).join('/').replace(/\.ts$/, '.d.ts');
    files.push({ path: `file:///node_modules/cv-lab/${relative}`, content: output.outputText });
    for (const match of output.outputText.matchAll(/from\s+'(\.{1,2}\/[^']+)'/g)) {
      const base = path.resolve(path.dirname(file), match[1]);
      const target = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
      if (target) queue.push(target);
    }
  }
  files.push({ path: 'file:///node_modules/cv-lab/index.d.ts', content: "export * from './sandbox/lab';\n" });
  return files;
}

export function gatherLabTypings(root: string): TypingFile[] {
  const nodeModules = path.join(root, 'node_modules');
  const entry = resolveDeclaration('@tensorflow/tfjs', root, nodeModules);
  if (!entry) throw new Error('lab typings: @tensorflow/tfjs typings not found in node_modules');
  const files = collectDeclarationClosure([entry], nodeModules);
  const packageDirs = new Set<string>();
  const typings: TypingFile[] = [];
  for (const file of [...files].sort()) {
    const relative = path.relative(nodeModules, file).split(path.sep).join('/');
    const { name } = packageNameOf(relative);
    packageDirs.add(name);
    typings.push({ path: `file:///node_modules/${relative}`, content: fs.readFileSync(file, 'utf8') });
  }
  for (const name of packageDirs) {
    const manifest = JSON.parse(fs.readFileSync(path.join(nodeModules, name, 'package.json'), 'utf8')) as {
      types?: string;
      typings?: string;
      version?: string;
    };
    // Only what module resolution reads: a smaller bundle and no scripts or URLs in the page.
    const slim = { name, version: manifest.version, types: manifest.types ?? manifest.typings };
    typings.push({ path: `file:///node_modules/${name}/package.json`, content: JSON.stringify(slim) });
  }
  typings.push({
    path: 'file:///node_modules/cv-lab/package.json',
    content: JSON.stringify({ name: 'cv-lab', types: 'index.d.ts' }),
  });
  typings.push(...labDeclarations(root));
  return typings;
}

export function labTypingsPlugin(options: LabTypingsOptions): Plugin {
  return {
    name: 'cv-lab-typings',
    resolveId(id) {
      return id === virtualId ? resolvedVirtualId : null;
    },
    load(id) {
      if (id !== resolvedVirtualId) return null;
      this.addWatchFile(path.join(options.root, 'src/core/sandbox/lab.ts'));
      this.addWatchFile(path.join(options.root, 'src/core/augment/index.ts'));
      const typings = gatherLabTypings(options.root);
      return `export default ${JSON.stringify(typings)};`;
    },
  };
}
