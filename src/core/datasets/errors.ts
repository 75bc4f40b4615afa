/**
 * The one error every dataset loader throws: it names the file at fault, so a learner or a team
 * lead can see at once which download or shard to replace.
 */
import { prepareInstruction } from './downloads';

export class DatasetError extends Error {
  constructor(
    /** The file at fault, relative to the dataset's folder (`manifest.json`, `train-images-0.bin.gzip`). */
    readonly file: string,
    /** What is wrong with it, in words: `missing`, `truncated: 10 of 4000 bytes`, ... */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${reason}`, options);
    this.name = 'DatasetError';
  }
}

/**
 * A dataset that was never prepared. Its message is the whole instruction a user needs, so callers
 * can print it as it is.
 */
export class DatasetNotPreparedError extends DatasetError {
  constructor(
    readonly datasetId: string,
    file = 'manifest.json',
  ) {
    super(file, 'missing');
    this.message = `dataset '${datasetId}' is not prepared: ${prepareInstruction(datasetId)}`;
    this.name = 'DatasetNotPreparedError';
  }
}
