import { readWords, WORDS } from './session-id.js';

/**
 * The revoked sessions, kept in flat typed arrays: a session id's 16 bytes as four 32-bit words
 * and its expiry in whole seconds (20 bytes a slot), in an open-addressing table with Robin Hood
 * probing (an entry that has come further from its home slot takes the place of one that has
 * not), so a table 90 % full still ends a lookup, found or not, within a few slots. Deletion by
 * backward shift. Any capacity, not only powers of two: fitted, it holds a session in about 24
 * bytes, against well over 100 for a Map of strings.
 */
const EMPTY = 0;
const MAX_LOAD = 0.9;
const GROWTH = 1.5;
/** The load fit() leaves: 20 bytes a slot / 0.85 ≈ 23.5 bytes a session. */
const FITTED_LOAD = 0.85;

function homeOf(w0: number, w1: number, w2: number, w3: number, capacity: number): number {
  let h = Math.imul(w0 ^ Math.imul(w1, 0x9e3779b1), 0x85ebca6b);
  h = Math.imul(h ^ w2 ^ (h >>> 13), 0xc2b2ae35);
  h = Math.imul(h ^ w3 ^ (h >>> 16), 0x27d4eb2f);
  return ((h ^ (h >>> 15)) >>> 0) % capacity;
}

const capacityFor = (entries: number, load: number) => Math.max(16, Math.ceil(entries / load));

/** A table's arrays, to hand it to another thread (their buffers transfer without a copy). */
export interface SessionIdSetState {
  readonly keys: Uint32Array<ArrayBuffer>;
  readonly expiries: Uint32Array<ArrayBuffer>;
  readonly count: number;
}

export class SessionIdSet {
  private keys: Uint32Array<ArrayBuffer>;
  /** 0 marks an empty slot; otherwise the expiry in seconds (NEVER when unknown). */
  private expiries: Uint32Array<ArrayBuffer>;
  private count = 0;
  private readonly scratch = new Uint32Array(WORDS);

  constructor(initialCapacity = 1024) {
    const capacity = capacityFor(initialCapacity, MAX_LOAD);
    this.keys = new Uint32Array(capacity * WORDS);
    this.expiries = new Uint32Array(capacity);
  }

  /** A set made of another's state: the arrays are taken, not copied. */
  static adopt(state: SessionIdSetState): SessionIdSet {
    const set = new SessionIdSet(0);
    if (state.keys.length !== state.expiries.length * WORDS) throw new Error('not a table');
    set.keys = state.keys;
    set.expiries = state.expiries;
    set.count = state.count;
    return set;
  }

  state(): SessionIdSetState {
    return { keys: this.keys, expiries: this.expiries, count: this.count };
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
    const words = this.scratch;
    if (!readWords(id, words)) return false;
    if (this.count + 1 > this.expiries.length * MAX_LOAD)
      this.resize(Math.ceil(this.expiries.length * GROWTH));
    this.insert(words[0] ?? 0, words[1] ?? 0, words[2] ?? 0, words[3] ?? 0, expiry);
    return true;
  }

  has(id: string): boolean {
    return this.slotOf(id) >= 0;
  }

  /** The stored expiry in seconds, or undefined when the id is absent. */
  expiryOf(id: string): number | undefined {
    const slot = this.slotOf(id);
    return slot < 0 ? undefined : this.expiries[slot];
  }

  delete(id: string): boolean {
    const slot = this.slotOf(id);
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

  /** Makes room for `entries` in all, at once (a bootstrap knows how many records it will read). */
  reserve(entries: number): void {
    const capacity = capacityFor(entries, MAX_LOAD);
    if (capacity > this.expiries.length) this.resize(capacity);
  }

  /** Sizes the table to what it holds now (after a bootstrap: the set a service keeps). */
  fit(): void {
    const capacity = capacityFor(this.count, FITTED_LOAD);
    if (capacity < this.expiries.length) this.resize(capacity);
  }

  /** How far the entry in `slot` sits from its home slot. */
  private distanceAt(slot: number): number {
    const at = slot * WORDS;
    const keys = this.keys;
    const capacity = this.expiries.length;
    const home = homeOf(
      keys[at] ?? 0,
      keys[at + 1] ?? 0,
      keys[at + 2] ?? 0,
      keys[at + 3] ?? 0,
      capacity,
    );
    return slot >= home ? slot - home : slot + capacity - home;
  }

  private slotOf(id: string): number {
    return readWords(id, this.scratch) ? this.find(this.scratch) : -1;
  }

  private find(words: Uint32Array): number {
    const [w0 = 0, w1 = 0, w2 = 0, w3 = 0] = words;
    const capacity = this.expiries.length;
    const keys = this.keys;
    for (let slot = homeOf(w0, w1, w2, w3, capacity), distance = 0; ; distance++) {
      if (this.expiries[slot] === EMPTY) return -1;
      const at = slot * WORDS;
      if (keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2 && keys[at + 3] === w3)
        return slot;
      // Robin Hood: had the id been here, it would have taken this slot.
      if (this.distanceAt(slot) < distance) return -1;
      slot = slot + 1 === capacity ? 0 : slot + 1;
    }
  }

  private insert(w0: number, w1: number, w2: number, w3: number, expiry: number): void {
    const capacity = this.expiries.length;
    const keys = this.keys;
    const expiries = this.expiries;
    for (let slot = homeOf(w0, w1, w2, w3, capacity), distance = 0; ; distance++) {
      const at = slot * WORDS;
      const current = expiries[slot] ?? EMPTY;
      if (current === EMPTY) {
        keys[at] = w0;
        keys[at + 1] = w1;
        keys[at + 2] = w2;
        keys[at + 3] = w3;
        expiries[slot] = expiry;
        this.count++;
        return;
      }
      if (keys[at] === w0 && keys[at + 1] === w1 && keys[at + 2] === w2 && keys[at + 3] === w3) {
        if (expiry > current) expiries[slot] = expiry;
        return;
      }
      const theirs = this.distanceAt(slot);
      if (theirs < distance) {
        // Take the slot from an entry nearer its home, and carry that entry on instead.
        const c0 = keys[at] ?? 0;
        const c1 = keys[at + 1] ?? 0;
        const c2 = keys[at + 2] ?? 0;
        const c3 = keys[at + 3] ?? 0;
        keys[at] = w0;
        keys[at + 1] = w1;
        keys[at + 2] = w2;
        keys[at + 3] = w3;
        expiries[slot] = expiry;
        w0 = c0;
        w1 = c1;
        w2 = c2;
        w3 = c3;
        expiry = current;
        distance = theirs;
      }
      slot = slot + 1 === capacity ? 0 : slot + 1;
    }
  }

  private removeAt(start: number): void {
    const capacity = this.expiries.length;
    const keys = this.keys;
    const expiries = this.expiries;
    let hole = start;
    // Each following entry away from its home moves one slot back, until one is at home.
    for (
      let slot = hole + 1 === capacity ? 0 : hole + 1;
      expiries[slot] !== EMPTY && this.distanceAt(slot) > 0;
      slot = slot + 1 === capacity ? 0 : slot + 1
    ) {
      keys.copyWithin(hole * WORDS, slot * WORDS, slot * WORDS + WORDS);
      expiries[hole] = expiries[slot] ?? EMPTY;
      hole = slot;
    }
    expiries[hole] = EMPTY;
    this.count--;
  }

  private resize(capacity: number): void {
    const oldKeys = this.keys;
    const oldExpiries = this.expiries;
    this.keys = new Uint32Array(capacity * WORDS);
    this.expiries = new Uint32Array(capacity);
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
