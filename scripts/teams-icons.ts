/**
 * Draws the Teams app icons (manifest/teams/color.png 192x192, outline.png 32x32): a ">_" prompt,
 * white on Exchange blue for the colour icon, white on transparent for the outline icon as Teams
 * requires. Run `npx tsx scripts/teams-icons.ts` after changing the drawing; the PNGs are committed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';

type Segment = [number, number, number, number];

/** The glyph in unit coordinates: a chevron and an underscore, as thick round-capped strokes. */
const STROKES: Segment[] = [
  [0.27, 0.3, 0.47, 0.5],
  [0.47, 0.5, 0.27, 0.7],
  [0.55, 0.7, 0.75, 0.7],
];
const THICKNESS = 0.1;
const BLUE = [0x00, 0x78, 0xd4];

function distanceToSegment(px: number, py: number, [x1, y1, x2, y2]: Segment): number {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/** How much of the pixel the glyph covers (0..1), by 4x4 supersampling. */
function coverage(x: number, y: number, size: number): number {
  let hits = 0;
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      const px = (x + (i + 0.5) / 4) / size;
      const py = (y + (j + 0.5) / 4) / size;
      if (STROKES.some((s) => distanceToSegment(px, py, s) <= THICKNESS / 2)) hits++;
    }
  }
  return hits / 16;
}

export function drawIcon(size: number, background: number[] | null): Buffer {
  const png = new PNG({ width: size, height: size, colorType: 6 });
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const c = coverage(x, y, size);
      const i = (y * size + x) * 4;
      if (background) {
        for (let k = 0; k < 3; k++) {
          png.data[i + k] = Math.round((background[k] ?? 0) * (1 - c) + 255 * c);
        }
        png.data[i + 3] = 255;
      } else {
        png.data[i] = png.data[i + 1] = png.data[i + 2] = 255;
        png.data[i + 3] = Math.round(255 * c);
      }
    }
  }
  return PNG.sync.write(png, { colorType: 6 });
}

if (require.main === module) {
  const dir = join(__dirname, '..', 'manifest', 'teams');
  writeFileSync(join(dir, 'color.png'), drawIcon(192, BLUE));
  writeFileSync(join(dir, 'outline.png'), drawIcon(32, null));
  process.stdout.write(`wrote ${dir}/color.png and outline.png\n`);
}
