import { format } from 'prettier';
import type { BenchResult } from './bench-result.js';
import { renderMarkdown } from './report.js';

/** Where docs/benchmarks.md keeps the latest full run, and the JSON it is rendered from. */
export const BENCHMARKS_DOC = 'docs/benchmarks.md';
export const LATEST_FULL_RUN = 'docs/bench/latest-full.json';

const BEGIN = '<!-- bench:begin (rendered by npm run bench:report; do not edit) -->';
const END = '<!-- bench:end -->';

/** The tables of one run, as the document shows them (formatted as the repository formats). */
export function renderRunSection(result: BenchResult): Promise<string> {
  return format(renderMarkdown(result), {
    parser: 'markdown',
    printWidth: 100,
    singleQuote: true,
    trailingComma: 'all',
  });
}

/** The rendered part of the document, between its markers; undefined when it has none. */
export function runSectionOf(doc: string): string | undefined {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin === -1 || end < begin) return undefined;
  return doc.slice(begin + BEGIN.length, end).trim() + '\n';
}

/** The document with its rendered part replaced by `section`. */
export function withRunSection(doc: string, section: string): string {
  const begin = doc.indexOf(BEGIN);
  const end = doc.indexOf(END);
  if (begin === -1 || end < begin) throw new Error(`${BENCHMARKS_DOC} has no bench markers`);
  return `${doc.slice(0, begin + BEGIN.length)}\n\n${section.trim()}\n\n${doc.slice(end)}`;
}
