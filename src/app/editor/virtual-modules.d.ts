/** Generated at build time by `scripts/vite-plugin-lab-typings.ts`. */
declare module 'virtual:lab-typings' {
  const typings: { path: string; content: string }[];
  export default typings;
}
