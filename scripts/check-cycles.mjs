#!/usr/bin/env node
/**
 * Fails when folders of `src/` import each other in a cycle (docs/architecture.md, "Layers"): the
 * graph's nodes are the folders two levels down (`core/grading`, `app/teams`, `cli`) and the files
 * directly in src/core or src/app (`app/catalog.ts`), an edge is a
 * relative import from a file in one to a file in another, and every strongly connected component of
 * more than one folder is a cycle, printed with one import that closes it. Type-only imports count:
 * they are a dependency of the reader's mind, if not of the bundle. Each workspace package
 * (`packages/runtime`, imported as `@cv-lab/runtime`) is one node more, so that a package importing
 * back into src would show as a cycle too (eslint forbids it as well).
 */
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const src = path.join(root, 'src');
const packages = path.join(root, 'packages');
const IMPORT =
  /(?:import|export)\s[^'"]*?from\s*['"]((?:\.|@cv-lab\/)[^'"]+)['"]|import\(\s*['"]((?:\.|@cv-lab\/)[^'"]+)['"]\s*\)/g;

/** The workspace packages by name: `@cv-lab/runtime` is packages/runtime. */
const packageDirs = new Map(
  fs.readdirSync(packages).map((dir) => {
    const manifest = JSON.parse(fs.readFileSync(path.join(packages, dir, 'package.json'), 'utf8'));
    return [manifest.name, path.join(packages, dir)];
  }),
);

function files(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return files(full);
    return /\.(ts|tsx)$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/**
 * `core/grading` for src/core/grading/x.ts; `cli` for src/cli/x.ts or src/cli/commands/x.ts. A file
 * directly in src/core or src/app is a node of its own, named by its path (`app/catalog.ts`), so the
 * app's top (App.tsx) and a small module at its bottom (catalog.ts) are not one node.
 */
function folderOf(file) {
  if (file.startsWith(packages + path.sep))
    return path.relative(root, file).split(path.sep).slice(0, 2).join('/');
  const parts = path.relative(src, file).split(path.sep);
  if (parts[0] === 'core' || parts[0] === 'app') return `${parts[0]}/${parts[1]}`;
  return parts[0];
}

/** The file an import names: `../catalog` is src/app/catalog.ts. */
function resolveImport(from, specifier) {
  if (specifier.startsWith('@cv-lab/')) {
    const name = specifier.split('/').slice(0, 2).join('/');
    return packageDirs.has(name) ? path.join(packageDirs.get(name), 'package.json') : specifier;
  }
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base, ...['.ts', '.tsx', '/index.ts', '/index.tsx'].map((ext) => base + ext)];
  if (/\.js$/.test(base)) candidates.push(base.replace(/\.js$/, '.ts'), base.replace(/\.js$/, '.tsx'));
  return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile()) ?? base;
}

const edges = new Map();
const example = new Map();
const sources = [src, ...[...packageDirs.values()].map((dir) => path.join(dir, 'src'))];
for (const file of sources.flatMap(files)) {
  const text = fs.readFileSync(file, 'utf8');
  for (const match of text.matchAll(IMPORT)) {
    const target = resolveImport(file, match[1] ?? match[2]);
    if (!target.startsWith(src) && !target.startsWith(packages)) continue;
    const from = folderOf(file);
    const to = folderOf(target);
    if (from === to) continue;
    if (!edges.has(from)) edges.set(from, new Set());
    edges.get(from).add(to);
    if (!example.has(`${from}>${to}`))
      example.set(`${from}>${to}`, `${path.relative(root, file)} imports ${match[1] ?? match[2]}`);
  }
}

// Tarjan's strongly connected components.
let index = 0;
const stack = [];
const state = new Map();
const cycles = [];
function visit(node) {
  state.set(node, { index, low: index, onStack: true });
  index += 1;
  stack.push(node);
  for (const next of edges.get(node) ?? []) {
    if (!state.has(next)) {
      visit(next);
      state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
    } else if (state.get(next).onStack) {
      state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
    }
  }
  if (state.get(node).low === state.get(node).index) {
    const component = [];
    let member;
    do {
      member = stack.pop();
      state.get(member).onStack = false;
      component.push(member);
    } while (member !== node);
    if (component.length > 1) cycles.push(component.sort());
  }
}
for (const node of edges.keys()) if (!state.has(node)) visit(node);

if (cycles.length === 0) {
  console.log(
    `No import cycles between the ${edges.size} folders (and root files of src/core, src/app) of src/ and packages/.`,
  );
  process.exit(0);
}
for (const cycle of cycles) {
  console.error(`Import cycle between ${cycle.join(', ')}:`);
  for (const from of cycle)
    for (const to of cycle)
      if (edges.get(from)?.has(to)) console.error(`  ${from} -> ${to}: ${example.get(`${from}>${to}`)}`);
}
process.exit(1);
