/**
 * The backup file (`cv-lab-backup-<date>.json`): every IndexedDB database of the app, every object
 * store, every record, as JSON. IndexedDB values hold binary data (dataset shards, model weights)
 * and dates, which JSON does not: `encodeValue` tags them (`{ "$cvlab": "bytes", ... }`) and
 * `decodeValue` restores them. Pure: the unit tests run it in Node.
 */
import { z } from 'zod';

export const BACKUP_FORMAT = 'cv-lab-backup';
/**
 * 2: may hold the lead's rosters and the builder's draft (`cv-lab-roster`). This version reads 1
 * and 2 (a version-1 file simply has no rosters); a file of a newer version is refused by name.
 */
export const BACKUP_VERSION = 2;

const TAG = '$cvlab';

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const typedArrays = {
  Uint8Array,
  Uint8ClampedArray,
  Int8Array,
  Uint16Array,
  Int16Array,
  Uint32Array,
  Int32Array,
  Float32Array,
  Float64Array,
} as const;
type TypedArrayName = keyof typeof typedArrays;

/** A structured-clone value (what IndexedDB stores) to plain JSON. */
export function encodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'bigint' || typeof value === 'function' || typeof value === 'symbol') {
      throw new Error(`cannot back up a ${typeof value}`);
    }
    return value;
  }
  if (value instanceof Date) return { [TAG]: 'date', iso: value.toISOString() };
  if (value instanceof ArrayBuffer) return { [TAG]: 'buffer', base64: toBase64(new Uint8Array(value)) };
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name as TypedArrayName;
    if (!(name in typedArrays)) throw new Error(`cannot back up a ${value.constructor.name}`);
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
    return { [TAG]: 'typed', type: name, base64: toBase64(bytes) };
  }
  if (Array.isArray(value)) return value.map(encodeValue);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = encodeValue(item);
  }
  return out;
}

/** The inverse of `encodeValue`; throws on a tag it does not know. */
export function decodeValue(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(decodeValue);
  const record = value as Record<string, unknown>;
  const tag = record[TAG];
  if (tag !== undefined) {
    if (tag === 'date' && typeof record.iso === 'string') return new Date(record.iso);
    if (tag === 'buffer' && typeof record.base64 === 'string') {
      return fromBase64(record.base64).buffer;
    }
    if (tag === 'typed' && typeof record.base64 === 'string' && typeof record.type === 'string') {
      const type = record.type as TypedArrayName;
      if (!(type in typedArrays)) throw new Error(`unknown typed array ${record.type}`);
      const bytes = fromBase64(record.base64);
      const Ctor = typedArrays[type];
      return new Ctor(bytes.buffer as ArrayBuffer, 0, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    throw new Error(`unknown value tag ${JSON.stringify(tag)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) out[key] = decodeValue(item);
  return out;
}

const keyPathSchema = z.union([z.string(), z.array(z.string()), z.null()]);

export const BackupStoreSchema = z.object({
  name: z.string().min(1),
  keyPath: keyPathSchema,
  autoIncrement: z.boolean(),
  indexes: z
    .array(
      z.object({
        name: z.string(),
        keyPath: z.union([z.string(), z.array(z.string())]),
        unique: z.boolean(),
        multiEntry: z.boolean(),
      }),
    )
    .default([]),
  /** `key` is the record's key (needed for stores with no key path), `value` the encoded record. */
  records: z.array(z.object({ key: z.unknown(), value: z.unknown() })),
});
export type BackupStore = z.infer<typeof BackupStoreSchema>;

export const BackupDatabaseSchema = z.object({
  name: z.string().min(1),
  version: z.number().int().positive(),
  stores: z.array(BackupStoreSchema),
});
export type BackupDatabase = z.infer<typeof BackupDatabaseSchema>;

export const BackupSchema = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.union([z.literal(1), z.literal(2)]),
  createdAt: z.string(),
  app: z.string().optional(),
  databases: z.array(BackupDatabaseSchema),
});
export type Backup = z.infer<typeof BackupSchema>;

/** Parses a backup file's text; a malformed one throws an error whose message says why, for the page. */
export function parseBackup(text: string): Backup {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('This file is not a CV Lab backup: it is not valid JSON.');
  }
  if (!json || typeof json !== 'object' || (json as { format?: unknown }).format !== BACKUP_FORMAT) {
    throw new Error('This file is not a CV Lab backup (its "format" is not "cv-lab-backup").');
  }
  const version = (json as { version?: unknown }).version;
  if (typeof version === 'number' && version > BACKUP_VERSION) {
    throw new Error(
      `This backup was made by a newer CV Lab (backup version ${version}; this one reads up to ${BACKUP_VERSION}). Nothing was imported.`,
    );
  }
  const result = BackupSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'the file';
    throw new Error(
      `This backup is damaged or from an unknown version: ${where}: ${issue?.message ?? 'invalid'}. Nothing was imported.`,
    );
  }
  return result.data;
}

export type MergeDecision = 'new' | 'updated' | 'kept';

/** The time a record says it was saved (`savedAt`, `updatedAt`, ...), for deciding which copy is newer. */
function savedTime(value: unknown): number | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  for (const field of ['savedAt', 'updatedAt', 'importedAt', 'createdAt']) {
    const raw = record[field];
    const time = raw instanceof Date ? raw.getTime() : typeof raw === 'string' ? Date.parse(raw) : NaN;
    if (Number.isFinite(time)) return time;
  }
  return undefined;
}

/**
 * What importing one record does, never deleting anything: a record the browser lacks is added; a
 * record both have is replaced only when the backup's copy says it was saved later; otherwise the
 * local copy is kept (identical records count as kept).
 */
export function mergeDecision(local: unknown, incoming: unknown): MergeDecision {
  if (local === undefined) return 'new';
  const localTime = savedTime(local);
  const incomingTime = savedTime(incoming);
  if (localTime !== undefined && incomingTime !== undefined && incomingTime > localTime) return 'updated';
  return 'kept';
}

export function backupFileName(date: Date): string {
  return `cv-lab-backup-${date.toISOString().slice(0, 10)}.json`;
}
