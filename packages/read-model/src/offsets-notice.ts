/**
 * The contract between the projection store and every projection watermark: after each commit the
 * store sends one notice per followed projection and partition on this channel (PostgreSQL NOTIFY), inside
 * the transaction, so it is delivered only if the commit is.
 */
export const OFFSETS_CHANNEL = 'projection_offsets';

export interface OffsetNotice {
  readonly projection: string;
  readonly topic: string;
  readonly partition: number;
  /** The projection's next offset for the partition, a decimal string: JSON has no 64-bit integers. */
  readonly next: string;
}

export const encodeOffsetNotice = (notice: OffsetNotice): string => JSON.stringify(notice);

/** The notice of a payload, or undefined when it is not one. */
export function parseOffsetNotice(payload: string): OffsetNotice | undefined {
  try {
    const notice = JSON.parse(payload) as Partial<OffsetNotice> | null;
    if (
      typeof notice?.projection !== 'string' ||
      typeof notice.topic !== 'string' ||
      typeof notice.partition !== 'number' ||
      typeof notice.next !== 'string' ||
      !/^\d+$/.test(notice.next)
    )
      return undefined;
    return notice as OffsetNotice;
  } catch {
    return undefined;
  }
}
