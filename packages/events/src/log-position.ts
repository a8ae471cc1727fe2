/** Where a record is in the log: its partition and its offset there (64-bit, hence bigint). */
export interface LogPosition {
  readonly partition: number;
  readonly offset: bigint;
}
