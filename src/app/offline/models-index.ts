/**
 * `/models/index.json`: the bundled pretrained models the server has (`public/models/<id>/`) with
 * the files the loader reads (`model.json` and the weight files it names) and their sizes, written
 * by the build (`scripts/vite-plugin-offline.ts`). Published models are not in it: their size is
 * known once downloaded. The page validates it like any file it reads.
 */
import { z } from 'zod';
import { parseBuiltIndex } from './datasets-index';

export const ModelsIndexEntrySchema = z.object({
  id: z.string().min(1),
  files: z.array(z.object({ path: z.string().min(1), bytes: z.number().int().nonnegative() })),
  /** Every file's bytes together. */
  bytes: z.number().int().nonnegative(),
});
export type ModelsIndexEntry = z.infer<typeof ModelsIndexEntrySchema>;

export const ModelsIndexSchema = z.object({
  format: z.literal('cv-lab-models-index'),
  version: z.literal(1),
  models: z.array(ModelsIndexEntrySchema),
});
export type ModelsIndex = z.infer<typeof ModelsIndexSchema>;

export function parseModelsIndex(json: unknown): ModelsIndex {
  return parseBuiltIndex(ModelsIndexSchema, json, 'models/index.json');
}
