/**
 * `/datasets/index.json`: the datasets the server has prepared, written by the build
 * (`scripts/vite-plugin-offline.ts`). The page validates it like any file it reads.
 */
import { z } from 'zod';

export const DatasetsIndexEntrySchema = z.object({
  id: z.string().min(1),
  title: z.string(),
  classCount: z.number().int().nonnegative(),
  imageShape: z.tuple([z.number().int(), z.number().int(), z.number().int()]),
  trainCount: z.number().int().nonnegative(),
  testCount: z.number().int().nonnegative(),
  /** Manifest plus every shard, as stored (gzipped). */
  bytes: z.number().int().nonnegative(),
});
export type DatasetsIndexEntry = z.infer<typeof DatasetsIndexEntrySchema>;

export const DatasetsIndexSchema = z.object({
  format: z.literal('cv-lab-datasets-index'),
  version: z.literal(1),
  datasets: z.array(DatasetsIndexEntrySchema),
});
export type DatasetsIndex = z.infer<typeof DatasetsIndexSchema>;

/**
 * Validates an index the build wrote (`datasets/index.json`, `models/index.json`): the page reads
 * it like any file, and a malformed one names itself and its first problem.
 */
export function parseBuiltIndex<T>(schema: z.ZodType<T>, json: unknown, file: string): T {
  const result = schema.safeParse(json);
  if (!result.success) {
    throw new Error(`${file} is malformed: ${result.error.issues[0]?.message ?? 'unknown'}`);
  }
  return result.data;
}

export function parseDatasetsIndex(json: unknown): DatasetsIndex {
  return parseBuiltIndex(DatasetsIndexSchema, json, 'datasets/index.json');
}

/** The server's prepared datasets, from `/datasets/index.json` (validated). */
export async function fetchDatasetsIndex(): Promise<DatasetsIndexEntry[]> {
  const response = await fetch('/datasets/index.json');
  if (!response.ok) throw new Error(`datasets/index.json answered HTTP ${response.status}`);
  return parseDatasetsIndex(await response.json()).datasets;
}
