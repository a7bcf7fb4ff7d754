// Synthetic pictures for photo tests: landscapes of shapes drawn from a seed. No person in them.
import sharp from 'sharp';
import { Random } from '../../fixtures/synth/random.ts';

/** A seeded source of numbers in [0, 1): the synthetic world's own generator. */
export function random(seed: number): () => number {
  const seeded = new Random(seed);
  return () => seeded.next();
}

/** A scene: a sky-to-ground gradient with hills, trees and blocks placed by the seed (PNG). */
export function scene(seed: number, width = 480, height = 360): Promise<Buffer> {
  const next = random(seed);
  const colour = () => `rgb(${Math.floor(next() * 256)},${Math.floor(next() * 256)},${Math.floor(next() * 256)})`;
  const shapes: string[] = [];
  for (let i = 0; i < 14; i++) {
    const x = Math.floor(next() * width);
    const y = Math.floor(next() * height);
    const size = 20 + Math.floor(next() * 120);
    shapes.push(next() < 0.5 ? `<circle cx="${x}" cy="${y}" r="${size / 2}" fill="${colour()}"/>` : `<rect x="${x}" y="${y}" width="${size}" height="${size * (0.5 + next())}" fill="${colour()}" transform="rotate(${Math.floor(next() * 90)} ${x} ${y})"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" y1="0" x2="${next().toFixed(2)}" y2="1"><stop offset="0" stop-color="${colour()}"/><stop offset="1" stop-color="${colour()}"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>${shapes.join('')}</svg>`;
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** The kind of copy that circulates: mirrored, shrunk and saved as a poor JPEG. */
export async function forwardedCopy(picture: Buffer): Promise<Buffer> {
  return sharp(picture).flop().resize(300).jpeg({ quality: 40 }).toBuffer();
}
