import { readLogEnd, type KafkaConnection } from '@session-authority/event-log';
import { openAuditCopy, type ReadModelOrm } from '@session-authority/read-model';
import { readLog } from '../read-log.js';
import { RebuildError } from '../rebuild-error.js';
import { AuditRowWorkers } from './audit-row-workers.js';

export interface AuditRebuildOptions {
  readonly orm: ReadModelOrm;
  readonly schema: string;
  readonly topic: string;
  readonly connection: KafkaConnection;
}

/** Batches being turned into rows or written: enough to keep every worker busy, bounded memory. */
const IN_FLIGHT = 32;

/**
 * Makes the audit projection of an empty schema from the whole log, to the end it has now: the
 * rows the projector would write, computed on worker threads and loaded with one COPY in one
 * transaction. Returns how many rows it wrote.
 */
export async function rebuildAuditProjection(options: AuditRebuildOptions): Promise<number> {
  const { orm, schema, topic, connection } = options;
  const end = await readLogEnd(connection, topic);
  const copy = await openAuditCopy(orm.em, schema);
  const workers = new AuditRowWorkers(topic);
  const inFlight = new Set<Promise<void>>();
  let failure: Error | undefined;
  try {
    await readLog(
      { kafka: connection, topic },
      () => 0n,
      end,
      async (partition, records) => {
        if (failure !== undefined) throw failure;
        const written = workers.lines(partition, records).then((lines) => copy.write(lines));
        inFlight.add(written);
        written.then(
          () => inFlight.delete(written),
          (error: unknown) => {
            inFlight.delete(written);
            failure ??= new RebuildError((error as Error).message);
          },
        );
        while (inFlight.size >= IN_FLIGHT && failure === undefined)
          await Promise.race([...inFlight].map((p) => p.catch(() => undefined)));
      },
    );
    await Promise.allSettled(inFlight);
    if (failure !== undefined) throw failure;
    return await copy.finish(topic, end);
  } catch (error) {
    await copy.abort();
    throw error;
  } finally {
    await workers.close();
  }
}
