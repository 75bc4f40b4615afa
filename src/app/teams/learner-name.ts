/** The learner's name for submissions: asked once, remembered in this browser. */
const key = 'cv-lab.learner-name';

export function rememberedLearnerName(): string {
  try {
    return localStorage.getItem(key)?.trim().slice(0, 100) ?? '';
  } catch {
    return '';
  }
}

export function rememberLearnerName(name: string): void {
  try {
    localStorage.setItem(key, name.trim());
  } catch {
    // Storage off (private mode): the name is asked again next time.
  }
}
