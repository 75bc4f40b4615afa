/** The grader's public face: metrics, rule and target checks, grading and the text report. */
export * from './metrics';
export {
  checkRules,
  checkTargets,
  targetAttainment,
  type MetricsBySplit,
  type RunFacts,
  type Split,
} from './rules';
export {
  chanceLevels,
  gradeModel,
  hashModelWeights,
  scoreReport,
  withFailedCheck,
  type GradeInput,
} from './grade';
export { formatReport, type FormatReportOptions } from './format';
export { diagnoseReport, type CurveReading, type Diagnosis, type EpochLogs } from './diagnosis';
export { describeTarget, describeTargets } from './target-text';
