/**
 * "See the data" (issue 13, item 6): a few train images of each class of a prepared dataset, with
 * the class names, on the Datasets page and under a training exercise's brief. The images are
 * decoded by a lab worker (`gallerySamples`, worker/gallery.ts), one for every gallery on screen,
 * started with the first and ended with the last, so the page never decodes a dataset itself.
 * The worker reads them from the dataset's sample sheet (core/datasets/sample-sheet.ts: the first
 * images of each class, written when the dataset is prepared; a few KB), and only a dataset without
 * one (prepared or imported before sheets) from its whole train split, the files a run reads. So a
 * gallery on the Datasets page still asks for its images once it scrolls into view: an old copy's
 * train split is what a page of many datasets should not fetch unseen.
 */
import * as Comlink from 'comlink';
import { memo, useEffect, useRef, useState } from 'react';
import type { GalleryAnswer, GalleryRequest, LabWorkerApi } from '../../worker/contract';

let shared: { worker: Worker; api: Comlink.Remote<LabWorkerApi>; users: number } | null = null;
/** Answers by request, kept for the page's life (a few small images per dataset). */
const answers = new Map<string, GalleryAnswer>();
/** Requests in flight to the current worker: dropped with it. */
const inflight = new Map<string, Promise<GalleryAnswer>>();

/** Holds the shared gallery worker (starting it) until the returned function is called. */
export function holdGalleryWorker(): () => void {
  if (!shared) {
    const worker = new Worker(new URL('../../worker/lab-worker.ts', import.meta.url), {
      type: 'module',
      name: 'cv-lab-gallery',
    });
    shared = { worker, api: Comlink.wrap<LabWorkerApi>(worker), users: 0 };
  }
  const held = shared;
  held.users += 1;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.users -= 1;
    if (held.users > 0 || shared !== held) return;
    held.worker.terminate();
    shared = null;
    inflight.clear();
  };
}

/** The gallery for a request, through the shared worker (hold it first). */
export function gallerySamples(request: GalleryRequest): Promise<GalleryAnswer> {
  const key = JSON.stringify([request.datasetId, request.perClass, request.scan ?? 0]);
  const known = answers.get(key);
  if (known) return Promise.resolve(known);
  const pending = inflight.get(key);
  if (pending) return pending;
  if (!shared) return Promise.reject(new Error('the gallery worker is not running'));
  const asked = shared.api.gallerySamples(request).then((answer) => {
    answers.set(key, answer);
    return answer;
  });
  inflight.set(key, asked);
  const forget = () => {
    if (inflight.get(key) === asked) inflight.delete(key);
  };
  asked.then(forget, forget);
  return asked;
}

/** One sample, drawn at its own size and scaled by CSS with crisp pixels. */
const SampleCanvas = memo(function SampleCanvas({
  rgba,
  width,
  height,
  title,
}: {
  rgba: Uint8ClampedArray;
  width: number;
  height: number;
  title: string;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const canvas = canvasRef.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return;
    canvas.width = width;
    canvas.height = height;
    context.putImageData(new ImageData(new Uint8ClampedArray(rgba), width, height), 0, 0);
  }, [rgba, width, height]);
  return <canvas ref={canvasRef} className="gallery-image" title={title} data-testid="gallery-image" />;
});

export const DatasetGallery = memo(function DatasetGallery({
  datasetId,
  perClass,
  compact = false,
}: {
  datasetId: string;
  perClass: number;
  /** Smaller images, for the brief's column. */
  compact?: boolean;
}) {
  const [answer, setAnswer] = useState<GalleryAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The brief's gallery (compact) loads at once: one dataset, in a panel that scrolls by itself.
  const [seen, setSeen] = useState(compact);
  const hostRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const host = hostRef.current;
    if (!host || seen) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) setSeen(true);
    });
    observer.observe(host);
    return () => observer.disconnect();
  }, [seen]);

  useEffect(() => {
    if (!seen) return;
    let live = true;
    const release = holdGalleryWorker();
    setAnswer(null);
    setError(null);
    gallerySamples({ datasetId, perClass })
      .then((found) => live && setAnswer(found))
      .catch(
        (thrown: unknown) => live && setError(thrown instanceof Error ? thrown.message : String(thrown)),
      );
    return () => {
      live = false;
      release();
    };
  }, [datasetId, perClass, seen]);

  return (
    <div
      ref={hostRef}
      className={compact ? 'dataset-gallery dataset-gallery-compact' : 'dataset-gallery'}
      data-testid="dataset-gallery"
      data-gallery-of={datasetId}
      data-gallery-source={answer?.source}
      aria-label={`Sample train images of ${datasetId}, by class`}
    >
      {!answer && !error && <p className="hint">Loading sample images…</p>}
      {error && <p className="hint">The sample images could not be loaded: {error}</p>}
      {answer?.sheetProblem && (
        <p className="hint" data-testid="gallery-sheet-problem">
          The dataset&apos;s sample sheet could not be read ({answer.sheetProblem}); these images come from
          its whole train split. Prepare the dataset again to repair it.
        </p>
      )}
      {answer?.classes.map((group) => (
        <figure className="gallery-class" key={group.name} data-testid="gallery-class">
          <figcaption>{group.name}</figcaption>
          <div className="gallery-images">
            {group.images.map((image) => (
              <SampleCanvas
                key={image.index}
                rgba={image.rgba}
                width={answer.width}
                height={answer.height}
                title={`${group.name}: train image ${image.index}`}
              />
            ))}
          </div>
        </figure>
      ))}
    </div>
  );
});
