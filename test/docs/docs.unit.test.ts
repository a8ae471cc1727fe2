import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  BENCHMARKS_DOC,
  benchResultSchema,
  LATEST_FULL_RUN,
  renderRunSection,
  runSectionOf,
} from '@session-authority/bench';
import {
  authApiEnvSchema,
  exampleResourceEnvSchema,
  projectorEnvSchema,
} from '@session-authority/config';
import { repoRoot } from '@session-authority/local-infra';

const documents = [
  'README.md',
  ...readdirSync(join(repoRoot, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];
const read = (path: string) => readFileSync(join(repoRoot, path), 'utf8');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');

function anchorsOf(markdown: string): Set<string> {
  const outsideCode = markdown.replace(/```[\s\S]*?```/g, '');
  return new Set([...outsideCode.matchAll(/^#+ (.+)$/gm)].map((match) => slug(match[1] ?? '')));
}

function linksOf(markdown: string): string[] {
  const outsideCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...outsideCode.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1] ?? '');
}

describe('the documentation', () => {
  it.each(documents)('%s: every relative link resolves inside the repository', (path) => {
    for (const link of linksOf(read(path))) {
      if (/^[a-z]+:/i.test(link)) continue;
      const [file = '', anchor] = link.split('#');
      const target =
        file === '' ? join(repoRoot, path) : resolve(dirname(join(repoRoot, path)), file);
      expect(
        relative(repoRoot, target).startsWith('..'),
        `${path}: ${link} leaves the repository`,
      ).toBe(false);
      expect(existsSync(target), `${path}: ${link} does not exist`).toBe(true);
      if (anchor !== undefined && target.endsWith('.md'))
        expect(anchorsOf(readFileSync(target, 'utf8')), `${path}: ${link}`).toContain(anchor);
    }
  });

  it('stands on its own: no document or source points outside the repository or at issues', () => {
    const sources = (folder: string): string[] =>
      readdirSync(join(repoRoot, folder), { recursive: true, encoding: 'utf8' })
        .filter(
          (name) =>
            name.endsWith('.ts') && !name.includes('node_modules') && !name.includes('dist/'),
        )
        .map((name) => `${folder}/${name}`);
    const files = [
      ...documents,
      ...['packages', 'services', 'infra', 'bench', 'test'].flatMap(sources),
    ];
    const outside = files.filter((file) =>
      /\.\.\/shared|DESIGN\.md|DESIGN §|issue #\d/.test(
        read(file).replace(/\/\S*docs\.unit\.test\.ts/, ''),
      ),
    );
    expect(outside.filter((file) => !file.endsWith('docs.unit.test.ts'))).toEqual([]);
  });

  it('docs/operations.md gives each setting the default its config schema has', () => {
    type Field = { parse(value: unknown): unknown };
    const fields = new Map<string, Field>();
    for (const schema of [authApiEnvSchema, projectorEnvSchema, exampleResourceEnvSchema])
      for (const [name, field] of Object.entries(schema.shape)) fields.set(name, field as Field);
    const rows = read('docs/operations.md').matchAll(
      /^\| (`[A-Z_]+`(?:, `[A-Z_]+`)*) +\| ([^|]+?) +\|/gm,
    );
    let compared = 0;
    for (const [, namesCell = '', defaultsCell = ''] of rows) {
      const names = [...namesCell.matchAll(/`([A-Z_]+)`/g)].map((match) => match[1] ?? '');
      const defaults = defaultsCell.split(', ');
      // Defaults told in words (none, unset, derived from another setting) are not compared.
      if (names.length !== defaults.length || /none|unset|\bor\b/.test(defaultsCell)) continue;
      for (const [i, name] of names.entries()) {
        const field = fields.get(name);
        if (field === undefined || name === 'INSTANCE_ID') continue; // host-pid: made at start
        const documented = (defaults[i] ?? '').replace(/`/g, '');
        expect(field.parse(documented), `${name} documented as ${documented}`).toEqual(
          field.parse(undefined),
        );
        compared += 1;
      }
    }
    expect(compared).toBeGreaterThan(25);
  });

  it('keeps README.md a front door of at most 200 lines', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(200);
  });

  it(`${BENCHMARKS_DOC} shows ${LATEST_FULL_RUN} as npm run bench:report renders it`, async () => {
    const result = benchResultSchema.parse(JSON.parse(read(LATEST_FULL_RUN)));
    expect(result.mode).toBe('full');
    expect(runSectionOf(read(BENCHMARKS_DOC))).toBe(await renderRunSection(result));
  });
});
