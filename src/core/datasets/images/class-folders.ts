/**
 * The layout of Keras `image_dataset_from_directory`: one sub-folder per class, images anywhere
 * below it. Given the paths in a folder or a zip, this says which files are the images of which
 * class, and which are not images. Pure: the browser (a dropped folder) and the CLI (a folder or a
 * zip on disk) hand it their path lists.
 *
 * A zip made by zipping the folder itself holds one top folder around the classes
 * (`pets/cat/1.jpg`); when everything is inside one single top folder and every image sits at least
 * three levels deep, that folder is taken as the wrapper and stripped. Class names are sorted, as Keras sorts them.
 */

/** File types the importers decode (by extension; the decoders check the bytes too). */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'] as const;

export interface ClassFolder {
  name: string;
  /** Paths as given (not stripped), sorted. */
  files: string[];
}

export interface ClassFolderPlan {
  /** Every class folder found, sorted by name; a class with no image file has `files: []`. */
  classes: ClassFolder[];
  /** Files that are not images by their extension (`notes.txt`, `Thumbs.db`), sorted. */
  nonImages: string[];
  /** Images lying beside the class folders rather than in one: they have no class. */
  unclassified: string[];
  /** The single top folder that was stripped, when there was one. */
  wrapper?: string;
}

/** Hidden files and folders, and the `__MACOSX` folder macOS's zip adds, are not data. */
function isIgnored(segments: string[]): boolean {
  return segments.some((s) => s.startsWith('.') || s === '__MACOSX');
}

export function isImagePath(path: string): boolean {
  const lower = path.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * @param files paths of the files, relative, `/`-separated (a `\` is read as `/` too)
 * @param folders paths of folders (so that a class folder with no file at all is still seen)
 */
export function planClassFolders(files: string[], folders: string[] = []): ClassFolderPlan {
  const split = (p: string) =>
    p
      .replace(/\\/g, '/')
      .split('/')
      .filter((s) => s !== '' && s !== '.');
  const fileEntries = files
    .map((path) => ({ path, segments: split(path) }))
    .filter((e) => e.segments.length > 0 && !isIgnored(e.segments));
  const folderEntries = folders.map(split).filter((s) => s.length > 0 && !isIgnored(s));

  let wrapper: string | undefined;
  const tops = new Set([...fileEntries.map((e) => e.segments[0]), ...folderEntries.map((s) => s[0])]);
  const imageEntries = fileEntries.filter((e) => isImagePath(e.path));
  if (tops.size === 1 && imageEntries.length > 0 && imageEntries.every((e) => e.segments.length >= 3)) {
    wrapper = [...tops][0];
  }
  const depth = wrapper === undefined ? 0 : 1;

  const classes = new Map<string, string[]>();
  for (const segments of folderEntries) {
    if (segments.length > depth) classes.set(segments[depth], classes.get(segments[depth]) ?? []);
  }
  const nonImages: string[] = [];
  const unclassified: string[] = [];
  for (const { path, segments } of fileEntries) {
    const inside = segments.slice(depth);
    if (!isImagePath(path)) {
      nonImages.push(path);
    } else if (inside.length < 2) {
      unclassified.push(path);
    } else {
      const list = classes.get(inside[0]) ?? [];
      list.push(path);
      classes.set(inside[0], list);
    }
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    classes: [...classes.entries()]
      .sort(([a], [b]) => byName(a, b))
      .map(([name, list]) => ({ name, files: list.sort(byName) })),
    nonImages: nonImages.sort(byName),
    unclassified: unclassified.sort(byName),
    wrapper,
  };
}
