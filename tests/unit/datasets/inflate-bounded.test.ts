/**
 * `inflateBounded`, the one decompression of the core: what it returns, where it stops, and what it
 * holds while stopping (a gigabyte bomb must cost kilobytes).
 */
import { describe, expect, it } from 'vitest';
import { compress, inflateBounded, InflateLimitError } from '../../../src/core/shared/bytes';
import { deflateRawZeros, gzipZeros, MiB } from '../../fixtures/hostile/make-hostile';

const text = new TextEncoder().encode('pixels '.repeat(1000));

describe('inflateBounded', () => {
  it('returns the whole data when it fits, exactly at the limit too', async () => {
    const packed = await compress(text, 'gzip');
    expect(await inflateBounded(packed, 'gzip', text.length)).toEqual(text);
    expect(await inflateBounded(packed, 'gzip', 10 * text.length)).toEqual(text);
  });

  it('throws an InflateLimitError one byte past the limit, naming the limit', async () => {
    const packed = await compress(text, 'deflate-raw');
    const error = await inflateBounded(packed, 'deflate-raw', text.length - 1).catch((e) => e);
    expect(error).toBeInstanceOf(InflateLimitError);
    expect(error.limit).toBe(text.length - 1);
    expect(error.message).toBe('decompresses to more than 6,999 bytes, the most it may hold');
  });

  it('stops a 1 GiB bomb early: memory grows by megabytes, not a gigabyte', async () => {
    const bomb = gzipZeros(1024);
    const before = process.memoryUsage().rss;
    await expect(inflateBounded(bomb, 'gzip', 1000)).rejects.toBeInstanceOf(InflateLimitError);
    expect(process.memoryUsage().rss - before).toBeLessThan(256 * MiB);
  });

  it('reads from a stream, and returns a prefix when asked to truncate', async () => {
    const stream = new Blob([deflateRawZeros(4) as Uint8Array<ArrayBuffer>]).stream();
    const start = await inflateBounded(stream, 'deflate-raw', 10, { truncate: true });
    expect(start).toEqual(new Uint8Array(10));
  });

  it("throws the platform's error for data that is not of the format", async () => {
    const error = await inflateBounded(text, 'gzip', 1e6).catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(InflateLimitError);
  });
});
