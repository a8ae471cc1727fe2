import { RevocationClient } from '@session-authority/revocations';
import { logLevel } from 'kafkajs';

/**
 * A downstream service's revocations client in its own process. Prints
 * `READY <bootstrap ms> <rss bytes> <peak rss bytes> <revoked held> <table bytes> <rss bytes at
 * its start>` once started,
 * then `<session id> <epoch ms>` as each revocation arrives and, every 50 ms,
 * `POSITION <sum of the next offsets> <lag in records> <epoch ms>`.
 */
const [brokers = '', logTopic = '', feedTopic = ''] = process.argv.slice(2);
// A configuration, not a client: the client then reads the feed in a thread of its own.
const kafka = {
  clientId: 'bench-revocations',
  brokers: brokers.split(','),
  logLevel: logLevel.NOTHING,
};
const now = () => performance.timeOrigin + performance.now();

const startRss = process.memoryUsage().rss;
const started = performance.now();
// Not sized in advance: the table grows as a service's would.
const client = await RevocationClient.start({ kafka, logTopic, feedTopic });
const bootstrapMs = performance.now() - started;
// Run with --expose-gc: what stays resident for the set, not the garbage of reading it.
(globalThis as { gc?: () => void }).gc?.();
const peakRss = process.resourceUsage().maxRSS * 1024;
process.stdout.write(
  `READY ${bootstrapMs.toFixed(0)} ${process.memoryUsage().rss} ${peakRss} ${client.size} ${client.tableBytes} ${startRss}\n`,
);
client.on('revoked', (revocation) => {
  process.stdout.write(`${revocation.sessionId} ${now().toFixed(3)}\n`);
});
setInterval(() => {
  const applied = [...client.position().values()].reduce((sum, next) => sum + next, 0n);
  process.stdout.write(`POSITION ${applied} ${client.lag()} ${now().toFixed(3)}\n`);
}, 50);
process.on('SIGTERM', () => {
  void client.close().then(() => process.exit(0));
});
