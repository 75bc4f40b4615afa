/**
 * Monaco, set up once for learner code: the editor and TypeScript workers bundled by Vite, the
 * tfjs and `cv-lab` typings bundled at build time (so completion works offline), and compiler
 * options that match how the lab compiles learner code.
 *
 * Loaded lazily (a dynamic import) so the catalog does not pay for the editor.
 */
import * as monaco from 'monaco-editor/editor';
import 'monaco-editor/features/register.all';
import 'monaco-editor/languages/definitions/typescript/register';
import {
  ModuleKind,
  ModuleResolutionKind,
  typescriptDefaults,
  type ScriptTarget,
} from 'monaco-editor/languages/features/typescript/register';
import EditorWorker from 'monaco-editor/editor/editor.worker?worker';
import TypeScriptWorker from 'monaco-editor/languages/features/typescript/ts.worker?worker';
import labTypings from 'virtual:lab-typings';

/** TypeScript's `ScriptTarget.ES2022`; Monaco's enum stops at ES2020 but passes the value through. */
const es2022 = 9 as ScriptTarget;

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === 'typescript' || label === 'javascript') return new TypeScriptWorker();
    return new EditorWorker();
  },
};

typescriptDefaults.setCompilerOptions({
  target: es2022,
  module: ModuleKind.ESNext,
  moduleResolution: ModuleResolutionKind.NodeJs,
  strict: true,
  esModuleInterop: true,
  allowNonTsExtensions: true,
  noEmit: true,
  lib: ['es2022', 'dom'],
});
typescriptDefaults.setDiagnosticsOptions({ noSemanticValidation: false, noSyntaxValidation: false });
typescriptDefaults.setExtraLibs(labTypings.map((file) => ({ filePath: file.path, content: file.content })));

export { monaco };

/** The URI of a learner's file in the editor; one model per exercise. */
export function learnerModelUri(exerciseId: string): monaco.Uri {
  return monaco.Uri.parse(`file:///learner/${exerciseId}.ts`);
}

export const runMarkerOwner = 'cv-lab-run';
