/**
 * Schemas for what CV Lab reads from files: exercises and grading reports.
 *
 * Everything read from disk, a URL or another person is parsed through one of these schemas
 * before use (docs/architecture.md, "Formats": validated on every read), so a malformed file fails with a message
 * that names the field instead of a crash somewhere deep in training.
 */
import { z } from 'zod';

/** The categories, in the order the catalog walks them. */
export const categories = [
  'cnn',
  'augmentation',
  'transfer',
  'preprocessing',
  'metrics',
  'deployment',
  /** Exam practice: tasks in the exam's shape, scored 1 to 5 by `bands` (docs/authoring-exercises.md). */
  'exam',
  'quiz',
] as const;

export const difficulties = ['beginner', 'intermediate', 'advanced'] as const;

/** A metric the grader can compute, named as it appears in a report's `metrics`. */
export const metricNames = [
  'accuracy',
  'macroF1',
  'rocAuc',
  'loss',
  'topKAccuracy',
  /** Binary exercises: of class 1 ("defect", "positive"), at the learner's decision threshold. */
  'recall',
  'precision',
] as const;
export type MetricName = (typeof metricNames)[number];

export const TargetSchema = z
  .object({
    metric: z.enum(metricNames),
    /** Which split the metric is measured on. `test` is read by the grader alone. */
    split: z.enum(['test', 'validation', 'train']).default('test'),
    atLeast: z.number().optional(),
    atMost: z.number().optional(),
  })
  .refine((t) => (t.atLeast === undefined) !== (t.atMost === undefined), {
    message: 'a target needs exactly one of atLeast or atMost',
  });
export type Target = z.infer<typeof TargetSchema>;

/** Rules are checked on the returned model and on the run's history. */
export const RuleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('inputShape'), shape: z.array(z.number().int().positive()) }),
  z.object({ type: z.literal('outputUnits'), units: z.number().int().positive() }),
  z.object({ type: z.literal('maxParams'), value: z.number().int().positive() }),
  z.object({ type: z.literal('requiresLayer'), layer: z.string().min(1) }),
  z.object({ type: z.literal('forbidsLayer'), layer: z.string().min(1) }),
  z.object({ type: z.literal('maxEpochs'), value: z.number().int().positive() }),
  /** At most `value` layers of this class (e.g. one Conv2D). */
  z.object({
    type: z.literal('maxLayerCount'),
    layer: z.string().min(1),
    value: z.number().int().nonnegative(),
  }),
  /** At least one layer of any of these classes; `label` names the group (e.g. "an augmentation layer"). */
  z.object({
    type: z.literal('requiresAnyLayer'),
    layers: z.array(z.string().min(1)).min(1),
    label: z.string(),
  }),
  /** At most `value` trainable parameters: a frozen base leaves only the head to train. */
  z.object({ type: z.literal('maxTrainableParams'), value: z.number().int().nonnegative() }),
  /** Training stopped in the epoch the training metric first reached `atLeast` (a stopping callback). */
  z.object({ type: z.literal('stopsAtTarget'), metric: z.enum(['accuracy', 'loss']), atLeast: z.number() }),
  /** Last epoch's training accuracy minus validation accuracy is at most `value` (no overfitting). */
  z.object({ type: z.literal('maxTrainValidationGap'), value: z.number().nonnegative() }),
]);
export type Rule = z.infer<typeof RuleSchema>;

export const LimitsSchema = z.object({
  /** Wall-clock budget for the learner's whole run (loading, training), in seconds. */
  timeSeconds: z.number().positive().default(900),
  /**
   * The most labelled images `lab.data.load` hands out over the run, training and validation
   * together (a "learn from 160 labels" exercise). Enforced by the host that serves the data.
   */
  trainImages: z.number().int().positive().optional(),
});
export type Limits = z.infer<typeof LimitsSchema>;

/** The metrics a band can score: those where higher is better, between 0 and 1. */
export const bandMetrics = ['accuracy', 'macroF1', 'rocAuc', 'topKAccuracy'] as const;

/**
 * Scoring bands of a train exercise: `scores` holds the thresholds a metric must reach for scores
 * 2, 3, 4 and 5, ascending; below the first it scores 1 (core/exercises/bands.ts `bandScore`).
 * `provisional` says why the thresholds are not final (what they wait on), shown with them.
 */
export const BandsSchema = z
  .object({
    metric: z.enum(bandMetrics),
    split: z.enum(['test', 'validation', 'train']).default('test'),
    scores: z.array(z.number().min(0).max(1)).length(4, 'four thresholds: for scores 2, 3, 4 and 5'),
    provisional: z.string().min(1).max(500).optional(),
  })
  .refine((b) => b.scores.every((value, i) => i === 0 || value > b.scores[i - 1]), {
    message: 'the thresholds for scores 2 to 5 must rise strictly',
    path: ['scores'],
  });
export type Bands = z.infer<typeof BandsSchema>;

/**
 * One measured run of a learner file (the reference solution or the weak baseline), graded from
 * the CLI (`cv-lab grade --json`): the figures the report gave, copied as they were.
 */
export const CalibrationRunSchema = z.object({
  /** The `--seed` of the run; `null` for an unseeded run (what a learner gets). */
  seed: z.number().int().nonnegative().nullable(),
  /** The report's `timings.trainSeconds`: wall-clock time, waiting for a core included. */
  trainSeconds: z.number().nonnegative(),
  /**
   * CPU time of the whole graded run (loading, training, grading), measured outside the command
   * (the shell's `time`, user + system). On a shared machine the wall clock also counts the time
   * spent waiting for a core; CPU time does not, and bounds what the run takes on an idle core.
   */
  cpuSeconds: z.number().nonnegative().optional(),
  /**
   * The value of each target's metric, keyed `<metric>:<split>` as the report's check ids
   * (`target:accuracy:test`) name them: `{ "accuracy:test": 0.905 }`.
   */
  metrics: z.record(
    z
      .string()
      .regex(
        new RegExp(`^(${metricNames.join('|')}):(test|validation|train)$`),
        'a key is <metric>:<split>, e.g. accuracy:test',
      ),
    z.number(),
  ),
  /** The report's verdict. */
  passed: z.boolean(),
  /** Ids of the report's failed checks (`rule:maxEpochs`, `target:accuracy:test`); empty on a pass. */
  failed: z.array(z.string()).default([]),
});
export type CalibrationRun = z.infer<typeof CalibrationRunSchema>;

/**
 * How hard a training exercise is, measured (docs/authoring-exercises.md, "Calibration"): the
 * reference solution passes its targets with a margin over run-to-run noise, unseeded as well as
 * seeded, and the obvious weak attempt (`baseline.ts` in the exercise's folder) fails them.
 */
export const CalibrationSchema = z.object({
  /** When, where and how: date, machine, backend, command, load average during the runs. */
  measured: z.string().min(1),
  reference: z.object({
    runs: z.array(CalibrationRunSchema).min(2),
  }),
  baseline: z.object({
    /** What the weak attempt does, in words a learner would recognise. */
    description: z.string().min(1),
    runs: z.array(CalibrationRunSchema).min(1),
  }),
});
export type Calibration = z.infer<typeof CalibrationSchema>;

export const ExerciseSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'ids are lower-case letters, digits and dashes'),
    title: z.string().min(1).max(200),
    category: z.enum(categories),
    difficulty: z.enum(difficulties),
    kind: z.enum(['train', 'function', 'quiz']),
    dataset: z.string().optional(),
    input: z.object({ shape: z.array(z.number().int().positive()) }).optional(),
    output: z.object({ units: z.number().int().positive() }).optional(),
    targets: z.array(TargetSchema).default([]),
    rules: z.array(RuleSchema).default([]),
    limits: LimitsSchema.default({ timeSeconds: 900 }),
    /** Function exercises: the names the learner's module must export. */
    functions: z.array(z.string().regex(/^[A-Za-z_$][\w$]*$/)).optional(),
    /** Function exercises: how close a returned number must be to the reference (absolute + relative). */
    tolerance: z.number().nonnegative().default(1e-4),
    /** Expected training time of the reference solution on a laptop CPU, shown before a run. */
    expectedMinutes: z.number().positive().optional(),
    tags: z.array(z.string()).default([]),
    /**
     * Where the exercise stands on its category's path through the catalog, lower first; exercises
     * without one follow, easier before harder.
     */
    order: z.number().int().nonnegative().optional(),
    /**
     * Where the targets come from when this project did not calibrate them with its own runs (the
     * course's graders, for the course's downloaded datasets), and whether they were measured here.
     * The page shows it beside the targets; `cv-lab verify` measures them where the data is present.
     */
    targetSource: z
      .strictObject({
        source: z.string().min(1).max(1000),
        measuredHere: z.boolean(),
        note: z.string().max(2000).optional(),
      })
      .optional(),
    /** Pretrained models (registry ids) the reference solution loads: verify and the page check them. */
    pretrained: z.array(z.string().min(1).max(200)).max(10).optional(),
    /** Train exercises: a score of 1 to 5 by bands of a metric, shown beside pass or fail. */
    bands: BandsSchema.optional(),
    /** The measured runs the bands (or targets) were set from. */
    calibration: CalibrationSchema.optional(),
  })
  .refine((e) => e.bands === undefined || e.kind === 'train', {
    message: 'bands score train exercises only',
    path: ['bands'],
  });
export type Exercise = z.infer<typeof ExerciseSchema>;

/** An exercise with its texts, as the catalog hands it to the page and the CLI. */
/**
 * A quiz question as the learner's page holds it: the prompt and choices, no answer, no
 * explanation; `multiple` says that several choices may be right (the form shows check boxes).
 */
export type QuizQuestionCard = Omit<QuizQuestion, 'answer' | 'explanation'> & { multiple?: true };

/**
 * What the learner's page holds of an exercise: everything but the reference solution, the hints,
 * the hidden cases and the quiz answers. Those load as separate files, and only when they are shown
 * or graded with outside an exam (docs/architecture.md, "Exercise cards and grading keys").
 * A whole `ExerciseBundle` is also a card.
 */
export interface ExerciseCard {
  exercise: Exercise;
  brief: string;
  starter: string;
  /** The exercise has hints, to load when the learner opens them. */
  hasHints?: boolean;
  quiz?: { questions: QuizQuestionCard[] };
}

/**
 * An exercise folder's card: drops the solution, hints, cases and the quiz's answers, and the
 * calibration (its measured runs describe the reference's recipe, which an exam task keeps in hints).
 */
export function cardOf(bundle: ExerciseBundle): ExerciseCard {
  const { calibration: _measuredRuns, ...exercise } = bundle.exercise;
  return {
    exercise,
    brief: bundle.brief,
    starter: bundle.starter,
    ...(bundle.hints !== undefined ? { hasHints: true } : {}),
    ...(bundle.quiz
      ? {
          quiz: {
            questions: bundle.quiz.questions.map(({ id, prompt, choices, answer }) => ({
              id,
              prompt,
              choices,
              ...(Array.isArray(answer) ? { multiple: true as const } : {}),
            })),
          },
        }
      : {}),
  };
}

/** A whole exercise folder: the card and what only the host and the author may hold. */
export interface ExerciseBundle {
  exercise: Exercise;
  brief: string;
  starter: string;
  solution: string;
  hints?: string;
  /** Training exercises: `baseline.ts`, the weak attempt its calibration says fails. */
  baseline?: string;
  /** Function exercises: `cases.ts`, which builds the hidden cases the grader calls. */
  cases?: string;
  /** Quiz exercises: `quiz.json`, parsed. */
  quiz?: Quiz;
}

export const QuizQuestionSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  prompt: z.string().min(1).max(4000),
  choices: z.array(z.string().min(1).max(1000)).min(2).max(8),
  /** Index of the right choice, or indices when several are right (all must be picked). */
  answer: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative()).min(1)]),
  explanation: z.string().max(4000),
});
export type QuizQuestion = z.infer<typeof QuizQuestionSchema>;

export const QuizSchema = z.object({
  questions: z.array(QuizQuestionSchema).min(1).max(100),
});
export type Quiz = z.infer<typeof QuizSchema>;

export const CheckSchema = z.object({
  /** Stable id, e.g. `target:accuracy:test` or `rule:maxParams`. */
  id: z.string(),
  label: z.string(),
  passed: z.boolean(),
  detail: z.string(),
});
export type Check = z.infer<typeof CheckSchema>;

export const PerClassSchema = z.object({
  className: z.string(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  support: z.number().int(),
});
export type PerClass = z.infer<typeof PerClassSchema>;

export const ReportSchema = z.object({
  format: z.literal('cv-lab-report'),
  version: z.literal(1),
  exerciseId: z.string(),
  passed: z.boolean(),
  /** 0 to 100. */
  score: z.number().min(0).max(100),
  metrics: z.object({
    accuracy: z.number(),
    macroF1: z.number(),
    loss: z.number().optional(),
    rocAuc: z.number().optional(),
    /**
     * Binary exercises: the decision threshold on the probability of class 1 (the learner's
     * `export const threshold`, else 0.5), and precision and recall of class 1 at it.
     */
    binary: z.object({ threshold: z.number(), precision: z.number(), recall: z.number() }).optional(),
    topKAccuracy: z.record(z.string(), z.number()).optional(),
    perClass: z.array(PerClassSchema),
    confusionMatrix: z.array(z.array(z.number().int())),
    classNames: z.array(z.string()),
    testCount: z.number().int(),
  }),
  checks: z.array(CheckSchema),
  timings: z.object({
    trainSeconds: z.number(),
    gradeSeconds: z.number(),
  }),
  backend: z.string(),
  epochs: z.number().int(),
  params: z.number().int(),
  datasetHash: z.string(),
  modelHash: z.string(),
  gradedAt: z.string(),
  /**
   * Set when the page could not grade the work because it holds no key: a quiz taken in exam mode,
   * whose answers stay with the team lead. The answers are recorded; the lead's re-grade scores them.
   */
  gradedByLead: z.literal(true).optional(),
  /** Exercises with `bands`: the 1-to-5 score and where the figure fell (exercises/score.ts). */
  band: z
    .object({
      score: z.number().int().min(1).max(5),
      metric: z.enum(bandMetrics),
      split: z.enum(['test', 'validation', 'train']),
      value: z.number(),
      from: z.number().optional(),
      to: z.number().optional(),
    })
    .optional(),
  /** How many of the exercise's hints the learner had revealed when the run started. */
  hintsUsed: z.number().int().nonnegative().optional(),
});
export type Report = z.infer<typeof ReportSchema>;

/** Turns a zod error into one line a person can act on: `field.path: what is wrong`. */
export function describeSchemaError(error: z.ZodError, what: string): string {
  const issues = error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  return `${what} is malformed: ${issues}`;
}
