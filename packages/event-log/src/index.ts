export * from './types.js';
export { planBatch, type BatchPlan } from './batch-plan.js';
export { createKafkaAppender, type KafkaAppenderOptions } from './kafka-appender.js';
export {
  createKafkaSubscription,
  type KafkaSubscriptionOptions,
  type Subscription,
  type SubscriptionHandlers,
} from './kafka-subscription.js';
export {
  ensureCompactedTopic,
  ensureTopic,
  pingKafka,
  readLogEnd,
  type TopicSpec,
} from './kafka-topics.js';
export { InMemoryEventLog, type AppendListener } from './in-memory-event-log.js';
export { formatLogPositions } from './log-positions.js';
export { createFeedWriter, type FeedEntry, type FeedWriter } from './kafka-feed.js';
export { createKafka } from './kafka-client.js';
export { readTopicIdentity, type TopicIdentity } from './topic-identity.js';
export { OffsetOutOfRangeError } from './offset-range.js';
export {
  checkTopicDurability,
  readTopicDurability,
  WeakTopicError,
  type TopicDurability,
} from './topic-durability.js';
