// Where photo bytes live: content-addressed by sha256, so the same image is stored once. A
// directory by default; anything with put/get (an S3-compatible bucket) can stand in.
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

export interface PhotoStore {
  /** Stores the bytes; returns their sha256 (the key). Idempotent. */
  put(bytes: Buffer): Promise<string>;
  get(sha256: string): Promise<Buffer | null>;
}

export class PhotoStoreError extends Error {}

const validKey = /^[0-9a-f]{64}$/;

export class DirectoryPhotoStore implements PhotoStore {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  private pathOf(sha256: string): string {
    if (!validKey.test(sha256)) throw new PhotoStoreError('not a photo key');
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const path = this.pathOf(sha256);
    try {
      if ((await stat(path).catch(() => null))?.size === bytes.length) return sha256;
      await mkdir(dirname(path), { recursive: true });
      // Write beside, flush, then rename: a crash never leaves a half-written photo under its key.
      const temporary = `${path}.${process.pid}.${Date.now()}.part`;
      const file = await open(temporary, 'wx');
      try {
        await file.writeFile(bytes);
        await file.sync();
      } finally {
        await file.close();
      }
      await rename(temporary, path);
      return sha256;
    } catch (error) {
      throw new PhotoStoreError(`the photo store cannot save: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  }

  async get(sha256: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(sha256));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }
}
