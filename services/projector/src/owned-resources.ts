/**
 * What a process has opened, each with how it closes. `close` closes them in the reverse order of
 * opening, as fastify closes its plugins: what was opened last, and may use the others, goes first.
 */
export class OwnedResources {
  readonly #closers: (() => Promise<unknown>)[] = [];

  /** Takes `resource` into the set, to be closed with `close`; returns it. */
  own<T>(resource: T, close: (resource: T) => Promise<unknown>): T {
    this.#closers.push(() => close(resource));
    return resource;
  }

  async close(): Promise<void> {
    for (const close of this.#closers.splice(0).reverse()) await close();
  }
}
