import type { EpochFigures } from '../run/run-view';

const formatFigure = (value: number | undefined) => (value === undefined ? '–' : value.toFixed(4));

/** The figures of each finished epoch. */
export function EpochTable({ epochs }: { epochs: EpochFigures[] }) {
  if (epochs.length === 0) return null;
  return (
    <table className="data-table epoch-table" data-testid="epoch-table">
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
        {epochs.map((figures) => (
          <tr key={figures.epoch}>
            <td>{figures.epoch}</td>
            <td>{formatFigure(figures.loss)}</td>
            <td>{formatFigure(figures.accuracy)}</td>
            <td>{formatFigure(figures.valLoss)}</td>
            <td>{formatFigure(figures.valAccuracy)}</td>
            <td>{figures.seconds.toFixed(1)}</td>
            <td>{figures.numTensors}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
