/** A rebuild that cannot go on; its message is the one line the command prints. */
export class RebuildError extends Error {}
