import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface ProjectorMetrics {
  readonly registry: Registry;
  readonly applied: Counter<'type'>;
  readonly skippedUnknown: Counter<'type'>;
  readonly poison: Counter<'partition'>;
  readonly quarantined: Counter<'partition'>;
  readonly halted: Gauge<'partition'>;
  readonly leader: Gauge;
  readonly nextOffset: Gauge<'partition'>;
  readonly lag: Gauge<'partition'>;
  readonly batchSeconds: Histogram;
  readonly transactionPartSeconds: Histogram<'part'>;
}

export function createProjectorMetrics(): ProjectorMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    applied: new Counter({
      name: 'projector_events_applied_total',
      help: 'Events applied to the read model, by type (re-deliveries excluded).',
      labelNames: ['type'],
      registers: [registry],
    }),
    skippedUnknown: new Counter({
      name: 'projector_events_skipped_unknown_total',
      help: 'Events of a type this projector does not know, skipped for forward compatibility.',
      labelNames: ['type'],
      registers: [registry],
    }),
    poison: new Counter({
      name: 'projector_poison_events_total',
      help: 'Records with no session id as key; each halts its partition. Alert on any increase.',
      labelNames: ['partition'],
      registers: [registry],
    }),
    quarantined: new Counter({
      name: 'projector_quarantined_records_total',
      help: 'Records keyed by a session that failed their schema; each revoked its session. Alert on any increase.',
      labelNames: ['partition'],
      registers: [registry],
    }),
    halted: new Gauge({
      name: 'projector_partition_halted',
      help: '1 while a partition is halted by a record with no session id as key.',
      labelNames: ['partition'],
      registers: [registry],
    }),
    leader: new Gauge({
      name: 'projector_leader',
      help: '1 while this projector leads (applies at once); 0 while it backs up the leader.',
      registers: [registry],
    }),
    nextOffset: new Gauge({
      name: 'projector_next_offset',
      help: 'Next offset the projection will apply, per partition.',
      labelNames: ['partition'],
      registers: [registry],
    }),
    lag: new Gauge({
      name: 'projector_lag_records',
      help: 'Records in the log not yet applied, per partition, as of the last fetch.',
      labelNames: ['partition'],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'projector_batch_apply_seconds',
      help: "Time from a batch's arrival to its commit (batches of several partitions may share one).",
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
    transactionPartSeconds: new Histogram({
      name: 'projector_transaction_part_seconds',
      help: "Time of each part of a batch's transaction: statements, each pre-commit step, commit.",
      labelNames: ['part'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: [registry],
    }),
  };
}
