import type { ChainDifference, SessionDifference } from '@session-authority/audit';
import type { ColumnDifference } from '@session-authority/read-model';
import type { CheckpointDifference } from './verify-since-checkpoint.js';

export type VerifyDifference =
  | ({ readonly check: 'checkpoint' } & CheckpointDifference)
  | ({ readonly check: 'chain' } & ChainDifference)
  | ({ readonly check: 'columns' } & ColumnDifference)
  | ({ readonly check: 'sessions' } & SessionDifference);

const shown = (value: string | null) =>
  value === null
    ? 'nothing'
    : JSON.stringify(value.length > 120 ? `${value.slice(0, 117)}...` : value);

/** One line of `npm run audit -- verify` for one difference. */
export function differenceLine(d: VerifyDifference): string {
  switch (d.check) {
    case 'checkpoint': {
      const where = [
        d.partition === undefined ? '' : `partition ${d.partition} `,
        d.offset === undefined ? '' : `offset ${d.offset} `,
      ].join('');
      return `checkpoint: ${where.replace(/ $/, ': ')}${d.kind}: ${d.detail}`;
    }
    case 'chain':
      return `chain: partition ${d.partition} offset ${d.offset}: ${d.kind}: ${d.detail}`;
    case 'columns':
      return (
        `columns: ${d.table} partition ${d.partition} offset ${d.offset}: ${d.column}: ` +
        `stored ${shown(d.stored)}, the log says ${shown(d.expected)}`
      );
    case 'sessions':
      return `sessions: ${d.sessionId}: ${d.kind}: ${d.detail}`;
  }
}
