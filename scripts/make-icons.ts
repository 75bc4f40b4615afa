/**
 * Draws CV Lab's app icons (a 3×3 grid of "pixels" on the brand blue, one lit like a kernel's
 * centre) as PNGs into public/icons. Run once and commit the output:
 *
 *   npx tsx scripts/make-icons.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';

const background = [0x1f, 0x4e, 0x8c];
const cell = [0xdb, 0xe7, 0xf7];
const lit = [0xf5, 0xa6, 0x23];

/** `padding` is the share of the side left as background (maskable icons need a safe zone). */
function drawIcon(size: number, padding: number): Buffer {
  const png = new PNG({ width: size, height: size });
  const inner = size * (1 - 2 * padding);
  const start = size * padding;
  const step = inner / 3;
  const gap = step * 0.12;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let color = background;
      const gx = Math.floor((x - start) / step);
      const gy = Math.floor((y - start) / step);
      if (gx >= 0 && gx < 3 && gy >= 0 && gy < 3) {
        const ox = x - start - gx * step;
        const oy = y - start - gy * step;
        if (ox > gap && ox < step - gap && oy > gap && oy < step - gap)
          color = gx === 1 && gy === 1 ? lit : cell;
      }
      const i = (y * size + x) * 4;
      png.data[i] = color[0];
      png.data[i + 1] = color[1];
      png.data[i + 2] = color[2];
      png.data[i + 3] = 255;
    }
  }
  return PNG.sync.write(png);
}

const outDir = path.resolve(import.meta.dirname, '../public/icons');
fs.mkdirSync(outDir, { recursive: true });
fs.writeFileSync(path.join(outDir, 'icon-192.png'), drawIcon(192, 0.14));
fs.writeFileSync(path.join(outDir, 'icon-512.png'), drawIcon(512, 0.14));
fs.writeFileSync(path.join(outDir, 'icon-maskable-512.png'), drawIcon(512, 0.22));
console.log(`icons written to ${outDir}`);
