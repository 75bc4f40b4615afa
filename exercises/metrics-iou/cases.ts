import type { TF } from 'cv-lab';

type Box = [number, number, number, number];

/** Hidden cases: hand-picked geometry, then random boxes (some disjoint, some nested). */
export default function cases(_tf: TF, random: () => number) {
  const fixed: [string, Box, Box][] = [
    ['overlapping squares', [0, 0, 2, 2], [1, 1, 3, 3]],
    ['identical boxes', [10, 20, 50, 80], [10, 20, 50, 80]],
    ['disjoint boxes', [0, 0, 1, 1], [5, 5, 6, 6]],
    ['boxes touching at an edge', [0, 0, 2, 2], [0, 2, 2, 4]],
    ['one box inside the other', [0, 0, 10, 10], [2, 3, 4, 8]],
    ['a degenerate box of zero area', [1, 1, 1, 5], [0, 0, 4, 4]],
    ['two degenerate boxes', [2, 2, 2, 2], [2, 2, 2, 2]],
    ['fractional coordinates', [0.1, 0.2, 0.5, 0.9], [0.3, 0.1, 0.8, 0.6]],
  ];
  const randomBox = (): Box => {
    const y = random() * 100;
    const x = random() * 100;
    return [y, x, y + random() * 60, x + random() * 60];
  };
  const randomCases = Array.from({ length: 12 }, (_, i): [string, Box, Box] => [
    `random boxes ${i + 1}`,
    randomBox(),
    randomBox(),
  ]);
  return [...fixed, ...randomCases].map(([name, a, b]) => ({ name, call: 'iou', args: [a, b] }));
}
