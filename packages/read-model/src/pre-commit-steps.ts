import type pg from 'pg';
import type { PreCommitBatch, PreCommitStep, SqlContext } from './projection.js';

/**
 * Told how long each part of a batch's transaction took, in seconds: `statements` (the
 * projections' SQL and the rows read back; with no pre-commit step, the commit too), each
 * pre-commit step by its name, and `commit`.
 */
export type PartTimer = (part: string, seconds: number) => void;

const secondsSince = (start: number) => (performance.now() - start) / 1000;

/**
 * Runs the statements, the steps that need no rows beside them and, once the statements' result
 * is in, the steps that read rows back; then commits.
 */
export async function runWithSteps(
  client: pg.PoolClient,
  statements: string[],
  steps: readonly PreCommitStep[],
  committing: readonly PreCommitBatch[],
  sql: SqlContext,
  timed: PartTimer = () => undefined,
): Promise<void> {
  const started = performance.now();
  if (steps.length === 0) {
    await client.query([...statements, 'commit'].join(';\n'));
    timed('statements', secondsSince(started));
    return;
  }
  const run = async (step: PreCommitStep, rows: readonly Record<string, unknown>[]) => {
    const stepStarted = performance.now();
    await step.run(committing, rows);
    timed(step.name, secondsSince(stepStarted));
  };
  const reading = steps
    .filter((step) => step.readBack !== undefined)
    .map((step) => ({ step, select: step.readBack?.(committing, sql) }));
  const selects = reading.flatMap(({ select }) => (select === undefined ? [] : [select]));
  const beside = steps.filter((step) => step.readBack === undefined);
  const afterStatements = async () => {
    const answered = (await client.query([...statements, ...selects].join(';\n'))) as unknown as
      pg.QueryResult<Record<string, unknown>> | pg.QueryResult<Record<string, unknown>>[];
    timed('statements', secondsSince(started));
    const results = Array.isArray(answered) ? answered : [answered];
    let next = results.length - selects.length;
    await Promise.all(
      reading.map(({ step, select }) =>
        run(step, select === undefined ? [] : (results[next++]?.rows ?? [])),
      ),
    );
  };
  // The steps with no rows to read overlap the SQL; the commit waits for all of them.
  await Promise.all([afterStatements(), ...beside.map((step) => run(step, []))]);
  const committingAt = performance.now();
  await client.query('commit');
  timed('commit', secondsSince(committingAt));
}
