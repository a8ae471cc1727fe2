import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'packages/*/test/**/*.unit.test.ts',
            'services/*/test/**/*.unit.test.ts',
            'infra/local/test/**/*.unit.test.ts',
            'test/docs/**/*.unit.test.ts',
            'test/contract/**/*.unit.test.ts',
          ],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/int/**/*.int.test.ts', 'test/e2e/**/*.e2e.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 90_000,
          // Two cores: files run one at a time so timing-sensitive end-to-end tests do not starve.
          fileParallelism: false,
        },
      },
    ],
  },
});
