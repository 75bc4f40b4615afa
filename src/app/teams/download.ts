/** Saves text as a file the way browsers download: a Blob URL on a clicked, detached link. */
export function downloadText(fileName: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  // Chromium reads the Blob after the click returns: revoke later.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
