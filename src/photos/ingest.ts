// A photo as it arrives: its type decided from its content, limits against decompression bombs,
// turned upright by its EXIF orientation and re-encoded without any metadata (GPS above all), with
// a thumbnail. What comes out is safe to store and to show.
import sharp, { type Metadata } from 'sharp';
import { HttpError } from '../http/errors.ts';

export const photoLimits = {
  maxBytes: 15 * 1024 * 1024,
  maxPixels: 50_000_000,
  maxSide: 2048,
  thumbnailSide: 256,
  minSide: 16,
};

const acceptedFormats = new Set(['jpeg', 'png', 'webp', 'heif', 'avif', 'tiff', 'gif']);

export interface NormalisedPhoto {
  jpeg: Buffer;
  thumbnail: Buffer;
  width: number;
  height: number;
  sourceFormat: string;
}

const refuse = (statusCode: number, reason: string) =>
  new HttpError(statusCode, statusCode === 413 ? 'photo_too_large' : 'invalid_photo', `photo: ${reason}`, { problems: [{ field: 'photo', reason }] });

export async function normalisePhoto(input: Buffer): Promise<NormalisedPhoto> {
  if (input.length > photoLimits.maxBytes) throw refuse(413, `larger than ${photoLimits.maxBytes} bytes`);
  let metadata: Metadata;
  try {
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw refuse(400, 'not an image this service can read (JPEG, PNG, WebP, HEIF/AVIF, TIFF or GIF)');
  }
  if (!metadata.format || !acceptedFormats.has(metadata.format)) throw refuse(400, `images of type ${metadata.format ?? 'unknown'} are not accepted`);
  const { width = 0, height = 0 } = metadata;
  if (width * height > photoLimits.maxPixels) throw refuse(413, `${width}x${height} pixels is more than ${photoLimits.maxPixels} pixels`);
  if (width < photoLimits.minSide || height < photoLimits.minSide) throw refuse(400, `${width}x${height} pixels is too small to be a photo`);
  try {
    // failOn 'truncated' refuses a cut-off file instead of storing a half-grey picture.
    const upright = sharp(input, { failOn: 'truncated', limitInputPixels: photoLimits.maxPixels }).rotate().flatten({ background: '#ffffff' });
    const { data: jpeg, info } = await upright
      .clone()
      .resize({ width: photoLimits.maxSide, height: photoLimits.maxSide, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 88 })
      .toBuffer({ resolveWithObject: true });
    const thumbnail = await upright
      .clone()
      .resize({ width: photoLimits.thumbnailSide, height: photoLimits.thumbnailSide, fit: 'inside', withoutEnlargement: true })
      .jpeg({ quality: 80 })
      .toBuffer();
    return { jpeg, thumbnail, width: info.width, height: info.height, sourceFormat: metadata.format };
  } catch {
    throw refuse(400, 'the image is damaged or truncated');
  }
}
