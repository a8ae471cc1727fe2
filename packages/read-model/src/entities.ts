import { defineEntity, p } from '@mikro-orm/core';

/** One row per session ever issued; revoked rows stay as tombstones so a repeated logout is still 204. */
export const SessionEntity = defineEntity({
  name: 'SessionRow',
  tableName: 'sessions',
  indexes: [{ name: 'sessions_identity_id_id_idx', properties: ['identityId', 'id'] }],
  properties: {
    id: p.uuid().primary(),
    identityId: p.uuid(),
    tokenSha256: p.string().length(64).unique('sessions_token_sha256_key'),
    issuedAt: p.datetime().length(3),
    authenticatedAt: p.datetime().length(3),
    expiresAt: p.datetime().length(3),
    authenticatorAssuranceLevel: p.string().length(8).default('aal1'),
    authenticationMethods: p.json().default('[]'),
    devices: p.json().default('[]'),
    revokedAt: p.datetime().length(3).nullable(),
    revokeReason: p.string().length(32).nullable(),
    logPartition: p.integer(),
    logOffset: p.bigint('string'),
  },
});

/** Where a projection stands in each partition of the log: the next offset it will apply. */
export const ProjectionOffsetEntity = defineEntity({
  name: 'ProjectionOffset',
  tableName: 'projection_offsets',
  properties: {
    projection: p.string().length(64).primary(),
    topic: p.string().length(249).primary(),
    partition: p.integer().primary(),
    nextOffset: p.bigint('string'),
    updatedAt: p.datetime().length(3),
  },
});

/** A record keyed by a session that failed its schema; its session was revoked as 'quarantined'. */
export const QuarantinedRecordEntity = defineEntity({
  name: 'QuarantinedRecord',
  tableName: 'quarantined_records',
  properties: {
    topic: p.string().length(249).primary(),
    logPartition: p.integer().primary(),
    logOffset: p.bigint('string').primary(),
    sessionId: p.uuid().index('quarantined_records_session_id_idx'),
    type: p.string().length(255).nullable(),
    problem: p.text(),
    quarantinedAt: p.datetime().length(3),
  },
});

/** Each topic the read model follows, pinned at first sight: its partition count and identity. */
export const LogTopicEntity = defineEntity({
  name: 'LogTopic',
  tableName: 'log_topics',
  properties: {
    topic: p.string().length(249).primary(),
    partitions: p.integer(),
    recordedAt: p.datetime().length(3),
    /** Which log: the cluster's id and the topic's first record (see pinTopic). */
    clusterId: p.string().length(64).nullable(),
    topicId: p.string().length(80).nullable(),
  },
});

/** One row per log record, hash-chained per partition: the audit projection (docs/audit.md). */
export const AuditEventEntity = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  // Each audit query filters by one of these and pages in (at, partition, offset) order.
  indexes: [
    {
      name: 'audit_events_session_id_idx',
      properties: ['sessionId', 'at', 'logPartition', 'logOffset'],
    },
    {
      name: 'audit_events_identity_id_idx',
      properties: ['identityId', 'at', 'logPartition', 'logOffset'],
    },
    {
      name: 'audit_events_request_id_idx',
      properties: ['requestId', 'at', 'logPartition', 'logOffset'],
    },
    {
      name: 'audit_events_actor_id_idx',
      properties: ['actorId', 'at', 'logPartition', 'logOffset'],
    },
  ],
  properties: {
    topic: p.string().length(249).primary(),
    logPartition: p.integer().primary(),
    logOffset: p.bigint('string').primary(),
    at: p.datetime().length(3),
    eventId: p.string().length(255).nullable(),
    type: p.string().length(255).nullable(),
    sessionId: p.uuid().nullable(),
    identityId: p.uuid().nullable(),
    actorType: p.string().length(32).nullable(),
    actorId: p.string().length(255).nullable(),
    reason: p.string().length(64).nullable(),
    requestId: p.string().length(255).nullable(),
    source: p.string().length(1024).nullable(),
    data: p.json().nullable(),
    problem: p.text().nullable(),
    recordSha256: p.string().columnType('char(64)'),
    chainSha256: p.string().columnType('char(64)'),
  },
});

/** Signed verification checkpoints (docs/audit.md); the signature is checked by its reader. */
export const AuditCheckpointEntity = defineEntity({
  name: 'AuditCheckpoint',
  tableName: 'audit_checkpoints',
  indexes: [{ name: 'audit_checkpoints_topic_idx', properties: ['topic', 'id'] }],
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    topic: p.string().length(249),
    recordedAt: p.datetime().defaultRaw('now()'),
    body: p.text(),
    signature: p.text(),
    keyId: p.string().length(64),
  },
});

/** How far the revocation feed's expiry sweep has gone, per log topic. */
export const FeedSweepEntity = defineEntity({
  name: 'FeedSweep',
  tableName: 'feed_sweeps',
  properties: {
    topic: p.string().length(249).primary(),
    sweptUntil: p.datetime().length(3),
  },
});

export const readModelEntities = [
  FeedSweepEntity,
  AuditCheckpointEntity,
  AuditEventEntity,
  SessionEntity,
  ProjectionOffsetEntity,
  QuarantinedRecordEntity,
  LogTopicEntity,
];
