import type { BenchStack } from './bench-stack.js';
import { MANAGEMENT_RATE } from './bench-settings.js';
import type { DriveJob, LoadResult } from './load-job.js';
import {
  benchAuditIdentity,
  makeSessions,
  seedAuditRows,
  seedReadModelRows,
  writeTokens,
  type RandomBytes,
} from './seed.js';
import { encodePageToken } from '@session-authority/read-model';

type Drive = (job: DriveJob) => Promise<LoadResult>;

/**
 * The admin listings over big tables: `listed` more sessions straight into the read model and as
 * many rows into audit_events (neither in the log, so these steps come last), then a page of
 * sessions and an identity's audit events, each at the management rate and at saturation.
 */
export async function measureListings(
  stack: BenchStack,
  drive: Drive,
  options: { listed: number; tokenDir: string; random: RandomBytes },
): Promise<LoadResult[]> {
  const { listed, tokenDir, random } = options;
  const results: LoadResult[] = [];
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`- ${listed} more sessions in the read model for the listing`);
  await seedReadModelRows(stack.databaseUrl, listed);
  const pageTokens = makeSessions(1000, random).map((s) => ({
    sessionId: s.sessionId,
    token: encodePageToken(s.sessionId),
  }));
  const pageFile = writeTokens(tokenDir, 'page-tokens', pageTokens);
  log(`- ${listed} audit rows for the audit query`);
  const auditIdentityCount = listed / 10;
  await seedAuditRows(stack.databaseUrl, stack.topic, listed, auditIdentityCount);
  const auditIdentities = Array.from({ length: 1000 }, (_, k) => ({
    sessionId: '',
    token: benchAuditIdentity((k * 97) % auditIdentityCount),
  }));
  const identityFile = writeTokens(tokenDir, 'audit-identities', auditIdentities);
  const steps = [
    {
      scenario: `admin-audit-events (10 of ${listed.toLocaleString('en')}+ rows)`,
      request: 'admin-audit-events',
      file: identityFile,
    },
    {
      scenario: `admin-sessions-page (250 of ${listed.toLocaleString('en')}+)`,
      request: 'admin-sessions-page',
      file: pageFile,
    },
  ] as const;
  for (const { scenario, request, file } of steps) {
    for (const rate of [MANAGEMENT_RATE, undefined]) {
      results.push(
        await drive({
          scenario,
          origins: stack.adminOrigins,
          request,
          adminKey: stack.adminKey,
          tokens: { file, use: 'cycle' },
          expectStatus: 200,
          ...(rate === undefined ? {} : { rate }),
        }),
      );
    }
  }
  return results;
}
