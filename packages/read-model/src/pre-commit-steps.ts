import type pg from 'pg';
import type { PreCommitBatch, PreCommitStep, SqlContext } from './projection.js';

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
): Promise<void> {
  if (steps.length === 0) {
    await client.query([...statements, 'commit'].join(';\n'));
    return;
  }
  const reading = steps
    .filter((step) => step.readBack !== undefined)
    .map((step) => ({ step, select: step.readBack?.(committing, sql) }));
  const selects = reading.flatMap(({ select }) => (select === undefined ? [] : [select]));
  const beside = steps.filter((step) => step.readBack === undefined);
  const afterStatements = async () => {
    const answered = (await client.query([...statements, ...selects].join(';\n'))) as unknown as
      pg.QueryResult<Record<string, unknown>> | pg.QueryResult<Record<string, unknown>>[];
    const results = Array.isArray(answered) ? answered : [answered];
    let next = results.length - selects.length;
    await Promise.all(
      reading.map(({ step, select }) =>
        step.run(committing, select === undefined ? [] : (results[next++]?.rows ?? [])),
      ),
    );
  };
  // The steps with no rows to read overlap the SQL; the commit waits for all of them.
  await Promise.all([afterStatements(), ...beside.map((step) => step.run(committing, []))]);
  await client.query('commit');
}
