import { describe, expect, it } from 'vitest';
import { clientConfig, CONSUMER_SETTINGS, resolveKafka } from '../src/kafka-connection.js';

describe('the Kafka configuration the client is given', () => {
  const given = { clientId: 'orders', brokers: ['127.0.0.1:9092'] };

  it("gets the consumers' retry budget for the client's own retries", () => {
    expect(clientConfig(given)).toEqual({ ...given, retry: CONSUMER_SETTINGS.retry });
    // The bootstrap process connects with the same.
    expect(resolveKafka(given).bootstrapConfig?.retry).toEqual(CONSUMER_SETTINGS.retry);
  });

  it('keeps a retry the caller set', () => {
    const retry = { retries: 3 };
    expect(clientConfig({ ...given, retry }).retry).toBe(retry);
  });
});
