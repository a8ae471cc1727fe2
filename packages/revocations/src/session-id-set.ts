/**
 * The revoked sessions, kept in flat typed arrays: a session id's 16 bytes as four 32-bit words
 * and its expiry in whole seconds, in an open-addressing table (linear probing, deletion by
 * backward shift). About 40 bytes a session at worst, against well over 100 for a Map of strings.
 */
const WORDS = 4;
const EMPTY = 0;
/** The expiry of an entry whose session's expiry is unknown: it stays until it is removed. */
export const NEVER = 0xffffffff;
const MAX_LOAD = 0.75;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether the text is a session id (a UUID, in either case). */
export const isSessionId = (text: string): boolean => UUID.test(text);

/** A session id as four words, or undefined when it is not a UUID. */
export function sessionIdWords(id: string): [number, number, number, number] | undefined {
  if (id.length !== 36 || !UUID.test(id)) return undefined;
  return [
    parseInt(id.slice(0, 8), 16),
    parseInt(id.slice(9, 13) + id.slice(14, 18), 16),
    parseInt(id.slice(19, 23) + id.slice(24, 28), 16),
    parseInt(id.slice(28, 36), 16),
  ];
}

/** Seconds since the epoch, rounded up, so an entry never leaves before its expiry. */
export function expirySeconds(expiresAtMs: number | undefined): number {
  if (expiresAtMs === undefined || !Number.isFinite(expiresAtMs)) return NEVER;
  return Math.min(NEVER - 1, Math.max(1, Math.ceil(expiresAtMs / 1000)));
}

function slotOf(w0: number, w1: number, w2: number, w3: number, mask: number): number {
  let h = Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1), 0x85ebca6b);
  h = Math.imul(h ^ w2 ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ w3 ^ (h >>> 16), 0x27d4eb2f);
  return (h ^ (h >>> 15)) & mask;
}

export class SessionIdSet {
  private keys: Uint32Array;
  /** 0 marks an empty slot; otherwise the expiry in seconds (NEVER when unknown). */
  private expiries: Uint32Array;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let capacity = 16;
    while (capacity * MAX_LOAD < initialCapacity) capacity *= 2;
    this.keys = new Uint32Array(capacity * WORDS);
    this.expiries = new Uint32Array(capacity);
  }

  get size(): number {
    return this.count;
  }

  /** The bytes the table holds, for the memory figures. */
  get bytes(): number {
    return this.keys.byteLength + this.expiries.byteLength;
  }

  /** Adds the id, or moves its expiry to the later one; false when the id is not a UUID. */
  add(id: string, expiry: number): boolean {
    const words = sessionIdWords(id);
    if (words === undefined) return false;
    if ((this.count + 1) / this.expiries.length > MAX_LOAD) this.grow();
    this.insert(words[0], words[1], words[2], words[3], expiry);
    return true;
  }

  has(id: string): boolean {
    const words = sessionIdWords(id);
    return words !== undefined && this.find(words) >= 0;
  }

  /** The stored expiry in seconds, or undefined when the id is absent. */
  expiryOf(id: string): number | undefined {
    const words = sessionIdWords(id);
    const slot = words === undefined ? -1 : this.find(words);
    return slot < 0 ? undefined : this.expiries[slot];
  }

  delete(id: string): boolean {
    const words = sessionIdWords(id);
    const slot = words === undefined ? -1 : this.find(words);
    if (slot < 0) return false;
    this.removeAt(slot);
    return true;
  }

  /** Removes every entry that expired at or before `nowSeconds`; returns how many. */
  deleteExpired(nowSeconds: number): number {
    let removed = 0;
    const expiries = this.expiries;
    for (let slot = 0; slot < expiries.length;) {
      const expiry = expiries[slot] ?? EMPTY;
      if (expiry !== EMPTY && expiry <= nowSeconds) {
        // The backward shift may move a later entry into this slot: look at it again.
        this.removeAt(slot);
        removed++;
      } else {
        slot++;
      }
    }
    return removed;
  }

  private find(words: readonly number[]): number {
    const [w0 = 0, w1 = 0, w2 = 0, w3 = 0] = words;
    const mask = this.expiries.length - 1;
    for (let slot = slotOf(w0, w1, w2, w3, mask); ; slot = (slot + 1) & mask) {
      if (this.expiries[slot] === EMPTY) return -1;
      const at = slot * WORDS;
      const keys = this.keys;
      if (keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2 && keys[at + 3] === w3)
        return slot;
    }
  }

  private insert(w0: number, w1: number, w2: number, w3: number, expiry: number): void {
    const mask = this.expiries.length - 1;
    const keys = this.keys;
    for (let slot = slotOf(w0, w1, w2, w3, mask); ; slot = (slot + 1) & mask) {
      const at = slot * WORDS;
      const current = this.expiries[slot] ?? EMPTY;
      if (current === EMPTY) {
        keys[at] = w0;
        keys[at + 1] = w1;
        keys[at + 2] = w2;
        keys[at + 3] = w3;
        this.expiries[slot] = expiry;
        this.count++;
        return;
      }
      if (keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2 && keys[at + 3] === w3) {
        if (expiry > current) this.expiries[slot] = expiry;
        return;
      }
    }
  }

  private removeAt(start: number): void {
    const mask = this.expiries.length - 1;
    const keys = this.keys;
    const expiries = this.expiries;
    let hole = start;
    for (let slot = (hole + 1) & mask; expiries[slot] !== EMPTY; slot = (slot + 1) & mask) {
      const at = slot * WORDS;
      const home = slotOf(
        keys[at] ?? 0,
        keys[at + 1] ?? 0,
        keys[at + 2] ?? 0,
        keys[at + 3] ?? 0,
        mask,
      );
      // The entry may fill the hole only if the hole lies on its probe path (home … slot).
      const distanceToHole = (hole - home) & mask;
      const distanceToSlot = (slot - home) & mask;
      if (distanceToHole < distanceToSlot) {
        keys.copyWithin(hole * WORDS, at, at + WORDS);
        expiries[hole] = expiries[slot] ?? EMPTY;
        hole = slot;
      }
    }
    expiries[hole] = EMPTY;
    this.count--;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldExpiries = this.expiries;
    this.keys = new Uint32Array(oldKeys.length * 2);
    this.expiries = new Uint32Array(oldExpiries.length * 2);
    this.count = 0;
    for (let slot = 0; slot < oldExpiries.length; slot++) {
      const expiry = oldExpiries[slot] ?? EMPTY;
      if (expiry === EMPTY) continue;
      const at = slot * WORDS;
      this.insert(
        oldKeys[at] ?? 0,
        oldKeys[at + 1] ?? 0,
        oldKeys[at + 2] ?? 0,
        oldKeys[at + 3] ?? 0,
        expiry,
      );
    }
  }
}
