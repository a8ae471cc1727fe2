import type { TestProject } from 'vitest/node';
import { resolveTestEnvironment } from './test-environment.js';
import { recordFigures } from './figures.js';

declare module 'vitest' {
  interface ProvidedContext {
    kafkaBrokers: string;
    postgresUrl: string;
    environmentSource: string;
  }
}

/** Resolves Kafka and PostgreSQL once per run, hands them to every test file, stops them after. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const environment = await resolveTestEnvironment();
  project.provide('kafkaBrokers', environment.kafkaBrokers);
  project.provide('postgresUrl', environment.postgresUrl);
  project.provide('environmentSource', environment.source);
  recordFigures('environment', { source: environment.source, kafka: environment.kafkaBrokers });
  return () => environment.stop();
}
