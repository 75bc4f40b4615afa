/**
 * The confusion matrix as a heat map: rows are true classes, columns predicted classes. Each
 * cell's shade is its share of the row, so a weak class shows as a pale diagonal whatever its size.
 */
export function ConfusionMatrix({ matrix, classNames }: { matrix: number[][]; classNames: string[] }) {
  const rowTotals = matrix.map((row) => row.reduce((sum, count) => sum + count, 0));
  return (
    <div className="confusion-wrap">
      <table className="confusion" data-testid="confusion-matrix">
        <caption>Rows: true class · columns: predicted class · shade: share of the row</caption>
        <thead>
          <tr>
            <th className="confusion-corner" scope="col">
              true ↓ / predicted →
            </th>
            {classNames.map((name) => (
              <th key={name} scope="col" className="confusion-col-head">
                <span>{name}</span>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, rowIndex) => (
            <tr key={rowIndex}>
              <th scope="row" className="confusion-row-head">
                {classNames[rowIndex] ?? rowIndex}
              </th>
              {row.map((count, columnIndex) => {
                const share = rowTotals[rowIndex] > 0 ? count / rowTotals[rowIndex] : 0;
                const diagonal = rowIndex === columnIndex;
                const hue = diagonal ? '22, 163, 74' : '220, 38, 38';
                return (
                  <td
                    key={columnIndex}
                    style={{
                      backgroundColor: `rgba(${hue}, ${count === 0 ? 0 : 0.08 + 0.92 * share})`,
                      color: share > 0.55 ? '#fff' : undefined,
                    }}
                    title={`true ${classNames[rowIndex] ?? rowIndex}, predicted ${classNames[columnIndex] ?? columnIndex}: ${count} (${(share * 100).toFixed(1)}% of the row)`}
                  >
                    {count}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
