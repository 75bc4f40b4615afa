import { useRef, useState, type ReactNode } from 'react';
import './teams.css';

/**
 * A drop zone with a file input inside (for the keyboard and for tests): hands over the files
 * picked or dropped, whatever they are; the caller validates them.
 */
export function FileDrop({
  onFiles,
  accept,
  multiple = false,
  testId,
  children,
}: {
  onFiles: (files: File[]) => void;
  accept?: string;
  multiple?: boolean;
  testId: string;
  children: ReactNode;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  return (
    <div
      className={`file-drop${over ? ' file-drop-over' : ''}`}
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        event.preventDefault();
        setOver(false);
        onFiles([...event.dataTransfer.files]);
      }}
    >
      <div>{children}</div>
      <input
        ref={input}
        type="file"
        accept={accept}
        multiple={multiple}
        data-testid={testId}
        onChange={(event) => {
          onFiles([...(event.target.files ?? [])]);
          // The same file picked again must fire again.
          event.target.value = '';
        }}
      />
    </div>
  );
}
