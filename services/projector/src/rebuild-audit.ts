import { chainNext, CHAIN_START } from '@session-authority/audit';
import { decodeRecords } from '@session-authority/events';
import { readLogEnd, type KafkaConnection } from '@session-authority/event-log';
import {
  auditCopyLine,
  auditRowOf,
  openAuditCopy,
  type ReadModelOrm,
} from '@session-authority/read-model';
import { readLog } from './read-log.js';
import { RebuildError } from './rebuild-error.js';

export interface AuditRebuildOptions {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  readonly topic: string;
  readonly connection: KafkaConnection;
}

/**
 * Makes the audit projection of an empty schema from the whole log, to the end it has now: the
 * rows the projector would write (the same decoding, columns, hashes and chain), computed here
 * and loaded with one COPY in one transaction. Returns how many rows it wrote.
 */
export async function rebuildAuditProjection(options: AuditRebuildOptions): Promise<number> {
  const { orm, schema, topic, connection } = options;
  const end = await readLogEnd(connection, topic);
  const copy = await openAuditCopy(orm.em, schema);
  const heads = new Map<number, string>();
  try {
    await readLog(
      { kafka: connection, topic },
      () => 0n,
      end,
      (partition, records) => {
        const decoded = decodeRecords(records);
        if (decoded.halt !== undefined)
          throw new RebuildError(
            `a poison record halts partition ${partition} at offset ${decoded.halt.offset}: ${decoded.halt.problem}`,
          );
        const problems = new Map(decoded.quarantined.map((q) => [q.offset, q.problem]));
        let head = heads.get(partition) ?? CHAIN_START;
        let lines = '';
        for (const record of records) {
          const row = auditRowOf(partition, record, problems.get(record.offset));
          head = chainNext(head, row.record_sha256);
          lines += auditCopyLine(topic, row, head) + '\n';
        }
        heads.set(partition, head);
        return copy.write(lines);
      },
    );
    return await copy.finish(topic, end);
  } catch (error) {
    await copy.abort();
    throw error;
  }
}
