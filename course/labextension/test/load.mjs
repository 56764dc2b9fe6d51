// Loads a module of the compiled extension (lib/, made by tsc in build.py) for a unit test.
// lib/ is ES module code in a package without "type": "module": a data: URL is always read as an
// ES module, on every Node version, without flags. A data: module cannot resolve './x', so each
// relative import becomes the data: URL of that module too (the same URL: one instance each).
// Only pure modules load: one that imports JupyterLab is tested in the browser instead.
import { readFileSync } from 'node:fs';

const urls = new Map();

function dataUrl(name) {
  if (!urls.has(name)) {
    const source = readFileSync(new URL(`../lib/${name}.js`, import.meta.url), 'utf8').replace(
      /(\bfrom\s*|\bimport\s*\(?\s*)(['"])\.\/([\w.-]+?)(?:\.js)?\2/g,
      (_match, keyword, quote, dep) => `${keyword}${quote}${dataUrl(dep)}${quote}`);
    // ' too (encodeURIComponent keeps it): the URL is written between quotes into its importer
    urls.set(name, 'data:text/javascript,' + encodeURIComponent(source).replaceAll("'", '%27'));
  }
  return urls.get(name);
}

/** The exports of lib/<name>.js. */
export function load(name) {
  return import(dataUrl(name));
}
