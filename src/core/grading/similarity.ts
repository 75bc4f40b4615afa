/**
 * Copying across a roster, in the style of MOSS (Schleimer, Wilkerson and Aiken, "Winnowing", 2003):
 *
 *   1. `tokenize`: TypeScript, roughly: comments and whitespace dropped; identifiers normalised to
 *      one token, except keywords and member names after `.` (`tf.layers.dense`), which say what the
 *      code does and survive renaming anyway; numbers and strings kept.
 *      Trailing commas are dropped. Renaming variables or reformatting changes nothing.
 *   2. `fingerprints`: hashes of every k tokens in a row (k-grams), winnowed: in each window of `w`
 *      consecutive k-gram hashes the smallest is kept, so any match of at least w + k - 1 tokens is
 *      found, with far fewer hashes than k-grams.
 *   3. The exercise's starter code is everyone's: every k-gram of it is taken out of each
 *      submission's fingerprints, so unchanged starter lines never count as copying.
 *   4. `similarity`: Jaccard's index of two fingerprint sets, |A ∩ B| / |A ∪ B|, 0 to 1.
 *
 * `similarityFlags` runs it over a roster (per exercise, across learners) and also pairs trained
 * models with the same weights (`identical-model`). Pure: no tfjs, no I/O.
 */
import type { Submission } from '../exercises/submission';
import type { RegradeFlag } from './regrade';

export interface SimilarityOptions {
  /** Tokens per k-gram. */
  k: number;
  /** k-grams per winnowing window. */
  window: number;
  /** A pair at or above this score is flagged `similar-code`. */
  threshold: number;
  /** Fewer fingerprints than this (after the starter's are taken out) is too little to compare. */
  minFingerprints: number;
}

export const DEFAULT_SIMILARITY: SimilarityOptions = { k: 10, window: 6, threshold: 0.7, minFingerprints: 8 };

const KEYWORDS = new Set(
  (
    'abstract any as async await boolean break case catch class const continue debugger declare default ' +
    'delete do else enum export extends false finally for from function get if implements import in ' +
    'instanceof interface keyof let new null number of private protected public readonly return set ' +
    'static string super switch this throw true try type typeof undefined unknown var void while with yield'
  ).split(' '),
);

/** Operators longest first, so `>>>=` is one token and not `>>` `>=`. */
const OPERATORS = [
  '>>>=',
  '...',
  '===',
  '!==',
  '**=',
  '<<=',
  '>>=',
  '>>>',
  '&&=',
  '||=',
  '??=',
  '=>',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '??',
  '?.',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '**',
  '<<',
  '>>',
];

/** The token an ordinary identifier becomes. */
export const IDENTIFIER = 'V';

/**
 * Rough TypeScript tokens: enough to compare code, not to parse it. A regular expression literal
 * comes out as punctuation and identifiers, which is harmless here.
 */
export function tokenize(code: string): string[] {
  const tokens: string[] = [];
  let i = 0;
  const n = code.length;
  while (i < n) {
    const c = code[i];
    if (/\s/.test(c)) {
      i++;
    } else if (code.startsWith('//', i)) {
      const end = code.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (code.startsWith('/*', i)) {
      const end = code.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && code[j] !== c) j += code[j] === '\\' ? 2 : 1;
      tokens.push(`S${code.slice(i + 1, Math.min(j, n))}`);
      i = j + 1;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(code[i + 1] ?? ''))) {
      const match = /^(?:0[xXbBoO][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]+(?:[eE][+-]?[0-9]+)?)n?/.exec(code.slice(i));
      const text = match?.[0] || c;
      const value = Number(text.replace(/_/g, '').replace(/n$/, ''));
      tokens.push(`N${Number.isNaN(value) ? text : value}`);
      i += text.length;
    } else if (/[A-Za-z_$]/.test(c)) {
      let j = i + 1;
      while (j < n && /[\w$]/.test(code[j])) j++;
      const word = code.slice(i, j);
      const previous = tokens.at(-1);
      const isMember = previous === '.' || previous === '?.';
      tokens.push(KEYWORDS.has(word) || isMember ? word : IDENTIFIER);
      i = j;
    } else {
      const op = OPERATORS.find((o) => code.startsWith(o, i));
      // A trailing comma is layout (formatters add or drop it): `[a, b,]` reads as `[a, b]`.
      if ((c === ')' || c === ']' || c === '}') && tokens.at(-1) === ',') tokens.pop();
      tokens.push(op ?? c);
      i += op ? op.length : 1;
    }
  }
  return tokens;
}

/** FNV-1a over a k-gram's tokens (32 bits). */
function hashGram(tokens: readonly string[], start: number, k: number): number {
  let h = 0x811c9dc5;
  for (let t = start; t < start + k; t++) {
    const token = tokens[t];
    for (let i = 0; i < token.length; i++) {
      h ^= token.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0x1f; // separates tokens: ["ab", "c"] and ["a", "bc"] differ
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Every k-gram's hash, in order. */
export function kgramHashes(tokens: readonly string[], k: number): number[] {
  const hashes: number[] = [];
  for (let i = 0; i + k <= tokens.length; i++) hashes.push(hashGram(tokens, i, k));
  return hashes;
}

/** Winnowing: the smallest hash of each window of `w` k-gram hashes (the rightmost on ties). */
export function winnow(hashes: readonly number[], w: number): Set<number> {
  const kept = new Set<number>();
  if (hashes.length <= w) {
    for (const h of hashes) kept.add(h);
    return kept;
  }
  for (let start = 0; start + w <= hashes.length; start++) {
    let min = start;
    for (let i = start + 1; i < start + w; i++) if (hashes[i] <= hashes[min]) min = i;
    kept.add(hashes[min]);
  }
  return kept;
}

/** A submission's fingerprints, less every k-gram of the starter code when one is given. */
export function fingerprints(
  code: string,
  starter = '',
  { k, window }: Pick<SimilarityOptions, 'k' | 'window'> = DEFAULT_SIMILARITY,
): Set<number> {
  const prints = winnow(kgramHashes(tokenize(code), k), window);
  if (starter) for (const h of kgramHashes(tokenize(starter), k)) prints.delete(h);
  return prints;
}

/** Jaccard's index of two fingerprint sets: 1 for the same code, near 0 for unrelated code. */
export function similarity(a: ReadonlySet<number>, b: ReadonlySet<number>): number {
  if (a.size === 0 && b.size === 0) return 0;
  let shared = 0;
  for (const h of a) if (b.has(h)) shared++;
  return shared / (a.size + b.size - shared);
}

/** One submission in a roster, as the comparison needs it. */
export interface SimilarityItem {
  learner: string;
  exerciseId: string;
  code: string;
  /** The shipped model's `weightsSha256`, for training exercises. */
  weightsSha256?: string;
}

export interface SimilarPair {
  /** Indices into the items. */
  a: number;
  b: number;
  kind: 'identical-model' | 'similar-code';
  /** 1 for identical models; the code's Jaccard index otherwise. */
  score: number;
}

/**
 * Pairs of submissions of one exercise by different learners with the same model weights, or with
 * code at or above the threshold. `starterOf` gives each exercise's starter (shared by everyone).
 */
export function similarPairs(
  items: readonly SimilarityItem[],
  starterOf: (exerciseId: string) => string | undefined,
  options: SimilarityOptions = DEFAULT_SIMILARITY,
): SimilarPair[] {
  const prints = items.map((item) => fingerprints(item.code, starterOf(item.exerciseId) ?? '', options));
  const pairs: SimilarPair[] = [];
  for (let a = 0; a < items.length; a++) {
    for (let b = a + 1; b < items.length; b++) {
      const x = items[a];
      const y = items[b];
      if (x.exerciseId !== y.exerciseId || x.learner.trim() === y.learner.trim()) continue;
      if (x.weightsSha256 && x.weightsSha256 === y.weightsSha256) {
        pairs.push({ a, b, kind: 'identical-model', score: 1 });
      }
      if (prints[a].size < options.minFingerprints || prints[b].size < options.minFingerprints) continue;
      const score = similarity(prints[a], prints[b]);
      if (score >= options.threshold) pairs.push({ a, b, kind: 'similar-code', score });
    }
  }
  return pairs;
}

/**
 * The flags of each item (same order as `items`): one `identical-model` or `similar-code` flag per
 * kind, naming every other learner with the score, highest first.
 */
export function similarityFlags(
  items: readonly SimilarityItem[],
  starterOf: (exerciseId: string) => string | undefined,
  options: SimilarityOptions = DEFAULT_SIMILARITY,
): RegradeFlag[][] {
  const matches = items.map(() => ({
    'identical-model': [] as { other: number; score: number }[],
    'similar-code': [] as { other: number; score: number }[],
  }));
  for (const pair of similarPairs(items, starterOf, options)) {
    matches[pair.a][pair.kind].push({ other: pair.b, score: pair.score });
    matches[pair.b][pair.kind].push({ other: pair.a, score: pair.score });
  }
  return matches.map((byKind) => {
    const flags: RegradeFlag[] = [];
    const others = (list: { other: number; score: number }[], withScore: boolean) =>
      list
        .sort((p, q) => q.score - p.score)
        .map(({ other, score }) => {
          const name = `'${items[other].learner}'`;
          return withScore ? `${name} (${score.toFixed(2)})` : name;
        })
        .join(', ');
    if (byKind['identical-model'].length) {
      flags.push({
        code: 'identical-model',
        message: `the same trained weights (SHA-256) as the submission of ${others(byKind['identical-model'], false)}`,
      });
    }
    if (byKind['similar-code'].length) {
      flags.push({
        code: 'similar-code',
        message: `code like that of ${others(byKind['similar-code'], true)} (token fingerprints, 1.00 = the same once names and layout are ignored; the starter code is not counted)`,
      });
    }
    return flags;
  });
}

/** The codes `similarityFlags` gives: a roster drops them before comparing again. */
export const SIMILARITY_FLAG_CODES: readonly string[] = [
  'identical-model',
  'similar-code',
] satisfies RegradeFlag['code'][];

/**
 * `similarityFlags` over re-graded submissions, each with its exercise's starter (the CLI's
 * `grade` and the page's roster both call this once every submission is graded).
 */
export function submissionSimilarityFlags(
  /**
   * `weightsVerified: false` when the re-grade found the model's weights do not match their stated
   * SHA-256 (a `model-hash` flag): that hash is then no evidence of a shared model, and copying it
   * from an honest submission must not get the honest learner flagged.
   */
  graded: readonly { submission: Submission; starter?: string; weightsVerified?: boolean }[],
  options: SimilarityOptions = DEFAULT_SIMILARITY,
): RegradeFlag[][] {
  const starters = new Map(graded.map((g) => [g.submission.exerciseId, g.starter]));
  return similarityFlags(
    graded.map(({ submission, weightsVerified }) => ({
      learner: submission.learner.name,
      exerciseId: submission.exerciseId,
      code: submission.code,
      ...(submission.model && weightsVerified !== false
        ? { weightsSha256: submission.model.weightsSha256 }
        : {}),
    })),
    (exerciseId) => starters.get(exerciseId),
    options,
  );
}
