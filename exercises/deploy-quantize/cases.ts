import type { TF } from 'cv-lab';

/**
 * Hidden cases. Random weights are drawn as min + (k + u) × scale with |u| ≤ 0.4, so every weight
 * rounds to one code whatever the float precision of your arithmetic; the extremes sit exactly on
 * min and max.
 */
export default function cases(_tf: TF, random: () => number) {
  const onGrid = (count: number, bits: 8 | 16, min: number, max: number): number[] => {
    const levels = bits === 8 ? 255 : 65535;
    const scale = (max - min) / levels;
    const out = [min, max];
    while (out.length < count) {
      const k = Math.floor(random() * (levels + 1));
      const u = (random() - 0.5) * 0.8;
      const w =
        min +
        Math.min(levels, Math.max(0, k + (k === 0 ? Math.abs(u) : k === levels ? -Math.abs(u) : u))) * scale;
      out.push(w);
    }
    // Shuffle, so min and max are not always first.
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  };
  const quantize: [string, number[], 8 | 16][] = [
    ['8 bits: four weights from -1 to 1', [-1, -0.5, 0.25, 1], 8],
    ['16 bits: the same four weights (two bytes each, little-endian)', [-1, -0.5, 0.25, 1], 16],
    ['8 bits: all weights equal (scale 1, codes 0)', [0.3, 0.3, 0.3], 8],
    ['16 bits: a single weight', [-2.5], 16],
    ['8 bits: only negative weights', onGrid(50, 8, -0.9, -0.1), 8],
    ['8 bits: a conv kernel of 3×3×8×16 weights', onGrid(1152, 8, -0.31, 0.27), 8],
    ['16 bits: a dense kernel of 2,000 weights', onGrid(2000, 16, -0.05, 0.08), 16],
    ['8 bits: large weights (batch-norm variances)', onGrid(64, 8, 0.5, 1200), 8],
    ['16 bits: tiny weights', onGrid(64, 16, -3e-5, 2e-5), 16],
  ];
  const dequantize: [string, number[], 'uint8' | 'uint16', number, number][] = [
    ['uint8 codes back to weights', [0, 1, 128, 255], 'uint8', 2 / 255, -1],
    [
      'uint16 codes back to weights (two bytes each, little-endian)',
      [0, 1, 0, 128, 255, 255],
      'uint16',
      2 / 65535,
      -1,
    ],
    ['uint8 codes with scale 1 (all weights were equal)', [0, 0, 0], 'uint8', 1, 0.3],
    [
      'random uint8 codes',
      Array.from({ length: 300 }, () => Math.floor(random() * 256)),
      'uint8',
      0.0021,
      -0.27,
    ],
    [
      'random uint16 codes',
      Array.from({ length: 400 }, () => Math.floor(random() * 256)),
      'uint16',
      3.1e-6,
      -0.1,
    ],
  ];
  return [
    ...quantize.map(([name, weights, bits]) => ({
      name,
      call: 'quantizeWeights',
      args: [Float32Array.from(weights), bits],
    })),
    ...dequantize.map(([name, bytes, dtype, scale, min]) => ({
      name,
      call: 'dequantizeWeights',
      args: [Uint8Array.from(bytes), { dtype, scale, min }],
    })),
  ];
}
