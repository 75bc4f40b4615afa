/**
 * The reports a lead sends: HTML, CSV, JSON and the gradebook CSV. They carry no local paths, never
 * show a flagged row as a pass, count every row (errors too) and total each learner's best clean
 * attempts (and the exam score in an exam-mode set).
 */
import { describe, expect, it } from 'vitest';
import { buildSet } from '../../../src/core/exercises/set';
import {
  rosterErrorRow,
  rosterToCsv,
  rosterToGradebookCsv,
  rosterToHtml,
  rosterToJson,
  rowVerdict,
  summarizeRoster,
} from '../../../src/core/grading/roster';
import { plainRow } from '../../fixtures/teams/plain-submission';

const set = buildSet({
  id: 'week-1',
  title: 'Week 1 <b>',
  dueDate: '2026-02-01T12:00:00Z',
  createdAt: '2026-01-01T00:00:00Z',
  exercises: [{ id: 'metrics-iou' }, { id: 'quiz-cnn-architectures' }],
  exam: { enabled: true, minutes: 60, weights: { beginner: 1, intermediate: 1, advanced: 1 } },
});

const rows = [
  plainRow({ file: '/home/lead/secret/ada.iou.cvsub.json', score: 80, status: 'fail', comment: 'close' }),
  plainRow({ file: 'C:\\Users\\lead\\ada2.cvsub.json', score: 100, submittedAt: '2026-03-01T00:00:00Z' }),
  plainRow({
    learner: 'Bob',
    file: '/home/lead/bob.cvsub.json',
    flags: [{ code: 'code-hash', message: 'the code does not match its SHA-256' }],
  }),
  plainRow({ learner: 'Bob', exerciseId: 'quiz-cnn-architectures', score: 60, status: 'fail' }),
  plainRow({
    learner: 'Cy',
    flags: [{ code: 'similar-to', message: 'looks like Bob’s' }],
    examTotal: 42,
  }),
  rosterErrorRow('/home/lead/drop/broken.cvsub.json', 'cannot read /home/lead/drop/broken.cvsub.json: bad'),
];
const context = { set, difficulties: [], generatedAt: '2026-03-02' };

describe('roster reports', () => {
  it('never write a local path: file base names only', () => {
    for (const text of [
      rosterToHtml(rows, context),
      rosterToCsv(rows, context),
      rosterToJson(rows, context),
    ]) {
      expect(text).not.toMatch(/home\/lead|Users/);
      expect(text).toContain('broken.cvsub.json');
      expect(text).toContain('ada2.cvsub.json');
    }
  });

  it('show flagged rows as flagged, never as a green pass, with any flag code', () => {
    expect(rows.map(rowVerdict)).toEqual(['fail', 'pass', 'flagged', 'fail', 'flagged', 'error']);
    const html = rosterToHtml(rows, context);
    const bobRow = html.split('\n').find((l) => l.includes('bob.cvsub.json'))!;
    expect(bobRow).toContain('<tr class="flagged">');
    expect(bobRow).not.toMatch(/class="[^"]*\bpass\b/);
    expect(bobRow).toContain('code-hash: the code does not match its SHA-256');
    expect(html).toContain('similar-to: looks like Bob’s');
    const csv = rosterToCsv(rows, context).split('\r\n');
    expect(csv[0]).toBe(
      'learner,set,exercise,result,regrade,metric,value,score,submitted_at,late,train_seconds,backend,flags,file,error,comment,reproduction',
    );
    expect(csv[3]).toMatch(/^Bob,Week 1,metrics-iou,flagged,pass,/);
  });

  it('count every row in the summary, errors included, with the set title and due date', () => {
    const html = rosterToHtml(rows, context);
    expect(html).toContain('6 submissions: 1 passed, 2 failed, 2 flagged, 1 errors; 1 late.');
    expect(html).toContain('Week 1 &lt;b&gt;');
    expect(html).toContain('due 2026-02-01T12:00:00Z');
    expect(html).not.toContain('<b>');
    const json = JSON.parse(rosterToJson(rows, context));
    expect(json.counts).toEqual({ rows: 6, pass: 1, fail: 2, flagged: 2, error: 1, late: 1 });
    expect(json.set).toMatchObject({ id: 'week-1', dueDate: '2026-02-01T12:00:00Z' });
    expect(json.rows[0].comment).toBe('close');
    expect(json.rows[1].late).toBe(true);
    expect(json.rows[5].result).toBe('error');
  });

  it('total each learner over the best clean attempt, flagged ones counting nothing, and the exam', () => {
    const summary = summarizeRoster(rows, context);
    expect(summary.exercises).toEqual(['metrics-iou', 'quiz-cnn-architectures']);
    const [ada, bob, cy] = summary.learners;
    expect(ada.learner).toBe('Ada');
    expect(ada.exercises['metrics-iou']).toMatchObject({ attempts: 2, best: 100, passed: true, late: true });
    expect(ada.exercises['metrics-iou'].comment).toBe('close');
    expect(ada.total).toBe(50);
    // Exam: a pass counts 100 on one of two equal weights.
    expect(ada.exam).toBe(50);
    expect(bob.exercises['metrics-iou']).toMatchObject({ attempts: 1, best: null, flagged: 1 });
    expect(bob.total).toBe(30);
    expect(bob.exam).toBe(25);
    // A row that carries its learner's exam total wins over the computed one.
    expect(cy.exam).toBe(42);
  });

  it('write a gradebook: one row per learner, name first, a score column per exercise', () => {
    const lines = rosterToGradebookCsv(rows, {
      ...context,
      exerciseTitles: { 'metrics-iou': 'IoU', 'quiz-cnn-architectures': 'Quiz: CNNs' },
    }).split('\r\n');
    expect(lines).toEqual([
      'Learner,IoU,Quiz: CNNs,Total,Exam',
      'Ada,100.0,,50.0,50.0',
      'Bob,,60.0,30.0,25.0',
      'Cy,,,0.0,42.0',
      '',
    ]);
    const noSet = rosterToGradebookCsv([plainRow({ learner: '=cmd()' })]).split('\r\n');
    expect(noSet).toEqual(['Learner,metrics-iou,Total', "'=cmd(),100.0,100.0", '']);
  });
});
