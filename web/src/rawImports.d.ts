/** Vite's `?raw` imports: a file of the repository as text, bundled (the examples the pages offer). */
declare module '*?raw' {
  const text: string;
  export default text;
}
