import { memo, useEffect, useRef } from 'react';
import type { EpochFigures } from '../run/run-view';

const formatFigure = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(4));

/** One epoch's row: the figures of a finished epoch never change, so its row renders once. */
const EpochRow = memo(function EpochRow({ figures }: { figures: EpochFigures }) {
  return (
    <tr>
      <td>{figures.epoch}</td>
      <td>{formatFigure(figures.loss)}</td>
      <td>{formatFigure(figures.accuracy)}</td>
      <td>{formatFigure(figures.valLoss)}</td>
      <td>{formatFigure(figures.valAccuracy)}</td>
      <td>{figures.seconds.toFixed(1)}</td>
      <td>{figures.numTensors}</td>
    </tr>
  );
});

/** The figures of each finished epoch. */
export const EpochTable = memo(function EpochTable({ epochs }: { epochs: EpochFigures[] }) {
  const tableRef = useRef<HTMLTableElement>(null);
  const followRef = useRef(true);
  // The rows scroll in a box of their own (styles.css): follow the newest unless scrolled up.
  useEffect(() => {
    const frame = requestAnimationFrame(() => {
      const table = tableRef.current;
      if (table && followRef.current) table.scrollTop = table.scrollHeight;
    });
    return () => cancelAnimationFrame(frame);
  }, [epochs]);
  if (epochs.length === 0) return null;
  return (
    <table
      className="data-table epoch-table"
      data-testid="epoch-table"
      ref={tableRef}
      onScroll={(event) => {
        const table = event.currentTarget;
        followRef.current = table.scrollHeight - table.scrollTop - table.clientHeight < 24;
      }}
    >
      <thead>
        <tr>
          <th>Epoch</th>
          <th>Loss</th>
          <th>Accuracy</th>
          <th>Val loss</th>
          <th>Val accuracy</th>
          <th>Seconds</th>
          <th>Tensors</th>
        </tr>
      </thead>
      <tbody>
        {epochs.map((figures, index) => (
          <EpochRow key={index} figures={figures} />
        ))}
      </tbody>
    </table>
  );
});
