/**
 * The Monaco editor holding the learner's code for one exercise. Uncontrolled: it reports every
 * change through `onChange`, and the page replaces the whole text through the handle (reset).
 */
import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import type * as Monaco from 'monaco-editor/editor';
import { useResolvedTheme, type Theme } from '../stores/theme';
import { errorMessage } from '../../core/shared/errors';

type MonacoSetup = typeof import('./monaco-setup');

const monacoThemes: Record<Theme, string> = { light: 'vs', dark: 'vs-dark' };

export interface EditorMarker {
  line: number;
  column?: number;
  message: string;
}

export interface CodeEditorHandle {
  setCode(code: string): void;
  focus(): void;
}

interface CodeEditorProps {
  exerciseId: string;
  initialCode: string;
  onChange(code: string): void;
  /** The place of the last run's error, marked red in the code; null clears it. */
  errorMarker: EditorMarker | null;
  /** Ctrl/Cmd+Enter in the editor (Monaco keeps the key to itself otherwise). */
  onRun?: () => void;
}

export const CodeEditor = forwardRef<CodeEditorHandle, CodeEditorProps>(function CodeEditor(
  { exerciseId, initialCode, onChange, errorMarker, onRun },
  handleRef,
) {
  const containerRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<Monaco.editor.IStandaloneCodeEditor | null>(null);
  const setupRef = useRef<MonacoSetup | null>(null);
  const onChangeRef = useRef(onChange);
  const onRunRef = useRef(onRun);
  const initialCodeRef = useRef(initialCode);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const theme = useResolvedTheme();
  const themeRef = useRef(theme);

  useEffect(() => {
    onChangeRef.current = onChange;
    onRunRef.current = onRun;
  }, [onChange, onRun]);

  useImperativeHandle(handleRef, () => ({
    setCode(code: string) {
      const model = editorRef.current?.getModel();
      if (!model) return;
      // pushEditOperations keeps the reset undoable with Ctrl+Z.
      model.pushEditOperations([], [{ range: model.getFullModelRange(), text: code }], () => null);
    },
    focus() {
      editorRef.current?.focus();
    },
  }));

  useEffect(() => {
    let disposed = false;
    let cleanup: (() => void) | null = null;
    import('./monaco-setup')
      .then((setup) => {
        if (disposed || !containerRef.current) return;
        setupRef.current = setup;
        const { monaco } = setup;
        const uri = setup.learnerModelUri(exerciseId);
        monaco.editor.getModel(uri)?.dispose();
        const model = monaco.editor.createModel(initialCodeRef.current, 'typescript', uri);
        const editor = monaco.editor.create(containerRef.current, {
          model,
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 14,
          tabSize: 2,
          scrollBeyondLastLine: false,
          fixedOverflowWidgets: true,
          ariaLabel: 'Your code',
          theme: monacoThemes[themeRef.current],
        });
        const subscription = model.onDidChangeContent(() => onChangeRef.current(model.getValue()));
        const runAction = editor.addAction({
          id: 'cv-lab.run',
          label: 'Run',
          keybindings: [monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter],
          run: () => onRunRef.current?.(),
        });
        editorRef.current = editor;
        setReady(true);
        cleanup = () => {
          subscription.dispose();
          runAction.dispose();
          editor.dispose();
          model.dispose();
          editorRef.current = null;
        };
      })
      .catch((error: unknown) => {
        if (!disposed) setLoadError(errorMessage(error));
      });
    return () => {
      disposed = true;
      cleanup?.();
    };
  }, [exerciseId]);

  // Monaco has one theme for all its editors: follow the page's.
  useEffect(() => {
    themeRef.current = theme;
    if (ready) setupRef.current?.monaco.editor.setTheme(monacoThemes[theme]);
  }, [theme, ready]);

  useEffect(() => {
    const setup = setupRef.current;
    const model = editorRef.current?.getModel();
    if (!ready || !setup || !model) return;
    const markers: Monaco.editor.IMarkerData[] = [];
    if (errorMarker) {
      const line = Math.min(Math.max(1, errorMarker.line), model.getLineCount());
      const startColumn = errorMarker.column ?? model.getLineFirstNonWhitespaceColumn(line) ?? 1;
      markers.push({
        severity: setup.monaco.MarkerSeverity.Error,
        message: errorMarker.message,
        startLineNumber: line,
        startColumn: Math.max(1, startColumn),
        endLineNumber: line,
        endColumn: model.getLineMaxColumn(line),
      });
      editorRef.current?.revealLineInCenterIfOutsideViewport(line);
    }
    setup.monaco.editor.setModelMarkers(model, setup.runMarkerOwner, markers);
  }, [errorMarker, ready]);

  return (
    <div className="code-editor">
      {!ready && !loadError && <div className="code-editor-loading">Loading the editor…</div>}
      {loadError && (
        <div className="notice notice-error" role="alert">
          The editor failed to load: {loadError}
        </div>
      )}
      <div ref={containerRef} className="code-editor-host" data-testid="code-editor" />
    </div>
  );
});
