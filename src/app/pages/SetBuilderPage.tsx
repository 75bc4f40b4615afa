import { useEffect, useState } from 'react';
import { buildSet, encodeSetLink, learnerCopy, MAX_NOTES_CHARS, type CvSet } from '../../core/exercises/set';
import { exerciseCards, findExercise } from '../catalog';
import { Markdown } from '../components/Markdown';
import { routeHref } from '../routing';
import {
  formToSetInput,
  keyTargetIndex,
  moveEntry,
  overrideLabel,
  type BuilderEntry,
} from '../teams/builder';
import { useBuilderStore } from '../teams/builder-store';
import { describeTargets } from '../../core/grading/target-text';
import { downloadText } from '../download';
import { FileDrop } from '../teams/FileDrop';
import { privateTestFromFiles, privateTestFromServer } from '../teams/private-test';
import { fileSlug } from '../teams/set-progress';

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Datasets the app serves: the ones the catalog's exercises train on. */
const servedDatasets = [
  ...new Set(exerciseCards.flatMap((b) => (b.exercise.dataset ? [b.exercise.dataset] : []))),
];

/** The lead's set builder: exercises, overrides, exam mode, private test; exports file and link. */
export function SetBuilderPage() {
  const { form, update, reset } = useBuilderStore();
  useEffect(() => {
    void useBuilderStore.getState().restore();
  }, []);
  const [built, setBuilt] = useState<CvSet | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [link, setLink] = useState<{ url?: string; error?: string } | null>(null);
  const [copied, setCopied] = useState(false);
  const [datasetId, setDatasetId] = useState(servedDatasets[0] ?? '');
  const [privateStatus, setPrivateStatus] = useState<{ busy: boolean; error?: string }>({ busy: false });

  const edit = (patch: Parameters<typeof update>[0]) => {
    update(patch);
    setBuilt(null);
    setLink(null);
  };
  const setEntry = (index: number, patch: Partial<BuilderEntry>) =>
    edit({ entries: form.entries.map((e, i) => (i === index ? { ...e, ...patch } : e)) });
  const chosen = new Set(form.entries.map((e) => e.id));

  const build = async () => {
    setCopied(false);
    try {
      const set = buildSet(formToSetInput(form, findExercise));
      setBuilt(set);
      setError(null);
      try {
        setLink({ url: await encodeSetLink(set, window.location.href) });
      } catch (linkError) {
        setLink({ error: messageOf(linkError) });
      }
    } catch (buildError) {
      setBuilt(null);
      setLink(null);
      setError(messageOf(buildError));
    }
  };

  const attachServed = async () => {
    setPrivateStatus({ busy: true });
    try {
      const data = await privateTestFromServer(datasetId, window.location.origin);
      edit({
        privateTest: { label: `${datasetId} (test split, ${data.manifest.splits.test.count} images)`, data },
      });
      setPrivateStatus({ busy: false });
    } catch (attachError) {
      setPrivateStatus({ busy: false, error: `${datasetId}: ${messageOf(attachError)}` });
    }
  };

  const attachFiles = async (files: File[]) => {
    setPrivateStatus({ busy: true });
    try {
      const data = await privateTestFromFiles(files);
      edit({
        privateTest: {
          label: `${data.manifest.title} (uploaded, ${data.manifest.splits.test.count} images)`,
          data,
        },
      });
      setPrivateStatus({ busy: false });
    } catch (attachError) {
      setPrivateStatus({ busy: false, error: messageOf(attachError) });
    }
  };

  const slug = built ? fileSlug(built.title) : '';
  return (
    <section className="page builder-page">
      <h1>Build a set</h1>
      <p className="lead">
        Pick exercises, set the bar, and hand the set out as a file or a link. Collect the submissions in the{' '}
        <a href={routeHref.roster}>roster</a>.
      </p>

      <div className="builder-grid">
        <div className="builder-form">
          <label className="field">
            Title
            <input
              data-testid="set-title-input"
              value={form.title}
              maxLength={200}
              onChange={(e) => edit({ title: e.target.value })}
            />
          </label>
          <label className="field">
            Author
            <input value={form.author} maxLength={200} onChange={(e) => edit({ author: e.target.value })} />
          </label>
          <label className="field">
            Due date
            <input
              type="datetime-local"
              data-testid="set-due-input"
              value={form.due}
              onChange={(e) => edit({ due: e.target.value })}
            />
          </label>
          <label className="field">
            Notes (markdown)
            <textarea
              data-testid="set-notes-input"
              rows={5}
              maxLength={MAX_NOTES_CHARS}
              value={form.notes}
              onChange={(e) => edit({ notes: e.target.value })}
            />
          </label>
          {form.notes.trim() && (
            <div className="notes-preview">
              <span className="muted">Preview</span>
              <Markdown source={form.notes} />
            </div>
          )}

          <fieldset className="field">
            <legend>Exam mode</legend>
            <label>
              <input
                type="checkbox"
                data-testid="exam-enabled"
                checked={form.exam.enabled}
                onChange={(e) => edit({ exam: { ...form.exam, enabled: e.target.checked } })}
              />{' '}
              One timer for the whole set; hints hidden; a score out of 100
            </label>
            {form.exam.enabled && (
              <div className="inline-fields">
                <label>
                  Minutes{' '}
                  <input
                    data-testid="exam-minutes"
                    type="number"
                    min={1}
                    max={1440}
                    value={form.exam.minutes}
                    onChange={(e) => edit({ exam: { ...form.exam, minutes: e.target.value } })}
                  />
                </label>
                {(['beginner', 'intermediate', 'advanced'] as const).map((level) => (
                  <label key={level}>
                    Weight {level}{' '}
                    <input
                      type="number"
                      min={0}
                      max={100}
                      value={form.exam.weights[level]}
                      onChange={(e) =>
                        edit({
                          exam: { ...form.exam, weights: { ...form.exam.weights, [level]: e.target.value } },
                        })
                      }
                    />
                  </label>
                ))}
              </div>
            )}
          </fieldset>

          <fieldset className="field">
            <legend>Private test data (optional)</legend>
            <p className="muted">
              Submissions are re-graded on it; learners never receive it (their copy and the link leave it
              out).
            </p>
            {form.privateTest ? (
              <p data-testid="private-test">
                {form.privateTest.label}{' '}
                <button type="button" className="link-button" onClick={() => edit({ privateTest: null })}>
                  remove
                </button>
              </p>
            ) : (
              <>
                <div className="inline-fields">
                  <label>
                    Prepared dataset{' '}
                    <input
                      list="served-datasets"
                      data-testid="private-dataset-id"
                      value={datasetId}
                      onChange={(e) => setDatasetId(e.target.value.trim())}
                    />
                    <datalist id="served-datasets">
                      {servedDatasets.map((id) => (
                        <option key={id} value={id} />
                      ))}
                    </datalist>
                  </label>
                  <button
                    type="button"
                    className="button"
                    data-testid="attach-private-test"
                    disabled={!datasetId || privateStatus.busy}
                    onClick={() => void attachServed()}
                  >
                    {privateStatus.busy ? 'Reading…' : 'Attach its test split'}
                  </button>
                </div>
                <FileDrop onFiles={(files) => void attachFiles(files)} multiple testId="private-test-files">
                  or pick a prepared dataset&rsquo;s <code>manifest.json</code> and its test shards:
                </FileDrop>
              </>
            )}
            {privateStatus.error && (
              <p className="notice notice-error" role="alert">
                {privateStatus.error}
              </p>
            )}
          </fieldset>
        </div>

        <div className="builder-exercises">
          <h2>Exercises in the set</h2>
          {form.entries.length === 0 && <p className="muted">None yet: add some from the catalog below.</p>}
          <ol className="builder-entries" data-testid="builder-entries">
            {form.entries.map((entry, index) => {
              const bundle = findExercise(entry.id);
              if (!bundle) return null;
              const key = bundle.exercise.targets[keyTargetIndex(bundle)];
              return (
                <li key={entry.id} data-exercise-id={entry.id}>
                  <div className="builder-entry-head">
                    <strong>{bundle.exercise.title}</strong>
                    <span className="muted">{bundle.exercise.difficulty}</span>
                    <span className="builder-entry-buttons">
                      <button
                        type="button"
                        className="button button-small"
                        aria-label="Move up"
                        disabled={index === 0}
                        onClick={() => edit({ entries: moveEntry(form.entries, index, -1) })}
                      >
                        ↑
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        aria-label="Move down"
                        disabled={index === form.entries.length - 1}
                        onClick={() => edit({ entries: moveEntry(form.entries, index, 1) })}
                      >
                        ↓
                      </button>
                      <button
                        type="button"
                        className="button button-small"
                        onClick={() => edit({ entries: form.entries.filter((_, i) => i !== index) })}
                      >
                        Remove
                      </button>
                    </span>
                  </div>
                  <div className="inline-fields">
                    {key && (
                      <label>
                        {overrideLabel(bundle.exercise.kind, key)} {key.atLeast !== undefined ? '≥' : '≤'}{' '}
                        <input
                          data-testid="override-threshold"
                          type="number"
                          step="any"
                          placeholder={String(key.atLeast ?? key.atMost)}
                          value={entry.threshold}
                          onChange={(e) => setEntry(index, { threshold: e.target.value })}
                        />
                      </label>
                    )}
                    <label>
                      Time limit (min){' '}
                      <input
                        data-testid="override-minutes"
                        type="number"
                        step="any"
                        min={0.1}
                        placeholder={String(Math.round(bundle.exercise.limits.timeSeconds / 60))}
                        value={entry.minutes}
                        onChange={(e) => setEntry(index, { minutes: e.target.value })}
                      />
                    </label>
                  </div>
                </li>
              );
            })}
          </ol>

          <h2>Catalog</h2>
          <ul className="builder-catalog">
            {exerciseCards.map(({ exercise }) => (
              <li key={exercise.id} data-exercise-id={exercise.id}>
                <span>
                  {exercise.title} <span className="muted">· {exercise.difficulty}</span>
                  {exercise.targets.length > 0 && (
                    <span className="muted"> · {describeTargets(exercise.targets, exercise.kind)}</span>
                  )}
                </span>
                <button
                  type="button"
                  className="button button-small"
                  data-testid="add-exercise"
                  disabled={chosen.has(exercise.id)}
                  onClick={() =>
                    edit({ entries: [...form.entries, { id: exercise.id, threshold: '', minutes: '' }] })
                  }
                >
                  {chosen.has(exercise.id) ? 'Added' : 'Add'}
                </button>
              </li>
            ))}
          </ul>
        </div>
      </div>

      <div className="toolbar builder-actions">
        <button
          type="button"
          className="button button-primary"
          data-testid="build-set"
          onClick={() => void build()}
        >
          Build the set
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            if (window.confirm('Clear the whole form?')) {
              reset();
              setBuilt(null);
              setLink(null);
            }
          }}
        >
          Start over
        </button>
      </div>
      {error && (
        <p className="notice notice-error" role="alert" data-testid="builder-error">
          {error}
        </p>
      )}
      {built && (
        <div className="builder-output" data-testid="builder-output">
          <p>
            <strong>{built.title}</strong>: {built.exercises.length} exercise
            {built.exercises.length === 1 ? '' : 's'}
            {built.exam?.enabled ? `, exam of ${built.exam.minutes} min` : ''}
            {built.privateTest ? ', with a private test' : ''}.
          </p>
          <div className="toolbar">
            <button
              type="button"
              className="button button-primary"
              data-testid="export-lead-set"
              onClick={() => downloadText(`${slug}.cvset.json`, `${JSON.stringify(built)}\n`)}
            >
              Download your copy{built.privateTest ? ' (with the private test)' : ''}
            </button>
            <button
              type="button"
              className="button"
              data-testid="export-learner-set"
              onClick={() =>
                downloadText(`${slug}.learners.cvset.json`, `${JSON.stringify(learnerCopy(built))}\n`)
              }
            >
              Download the learners&rsquo; copy
            </button>
          </div>
          {link?.url && (
            <div className="inline-fields">
              <label className="grow">
                Link for learners{' '}
                <input readOnly value={link.url} data-testid="set-link" onFocus={(e) => e.target.select()} />
              </label>
              <button
                type="button"
                className="button"
                data-testid="copy-link"
                onClick={() =>
                  void navigator.clipboard.writeText(link.url!).then(
                    () => setCopied(true),
                    () => window.alert('The browser did not allow copying: select the link and copy it.'),
                  )
                }
              >
                {copied ? 'Copied' : 'Copy link'}
              </button>
            </div>
          )}
          {link?.error && (
            <p className="notice notice-warn" data-testid="link-error">
              No link: {link.error}
            </p>
          )}
        </div>
      )}
    </section>
  );
}
