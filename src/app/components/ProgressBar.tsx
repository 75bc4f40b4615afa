function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(0)} kB`;
  return `${bytes} B`;
}

/** Dataset download progress (the run's `progress` events count bytes). */
export function ProgressBar({ label, loaded, total }: { label: string; loaded: number; total: number }) {
  const fraction = total > 0 ? Math.min(1, loaded / total) : 0;
  return (
    <div className="progress" data-testid="progress">
      <div className="progress-label">
        <span>{label}</span>
        <span>
          {formatBytes(loaded)}
          {total > 0 ? ` of ${formatBytes(total)}` : ''}
        </span>
      </div>
      <progress max={total > 0 ? total : undefined} value={total > 0 ? loaded : undefined}>
        {Math.round(fraction * 100)}%
      </progress>
    </div>
  );
}
