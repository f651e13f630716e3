/**
 * The safety net for references that were never disposed: when one is garbage-collected,
 * the JS object it held is released for it, and (with `warnOnLeaks`) the host is told once
 * per creation site where the leaking reference came from.
 */
export class LeakGuard {
  readonly #registry: FinalizationRegistry<{ id: number; createdAt: string | undefined }>;
  readonly #warned = new Set<string>();

  constructor(
    private readonly warnOnLeaks: boolean,
    release: (id: number) => void,
  ) {
    this.#registry = new FinalizationRegistry(({ id, createdAt }) => {
      release(id);
      if (createdAt !== undefined && !this.#warned.has(createdAt)) {
        this.#warned.add(createdAt);
        console.warn(
          `jsinterop: a JS object reference (id ${id}) was garbage-collected without being disposed; ` +
            `its JS object has been released for you. Dispose references with \`await using\` or disposeAsync(). It was created ${createdAt}`,
        );
      }
    });
  }

  watch(reference: object, id: number): void {
    const createdAt = this.warnOnLeaks ? (new Error().stack ?? '').split('\n').slice(3).join('\n').trim() || 'at an unknown place' : undefined;
    this.#registry.register(reference, { id, createdAt }, reference);
  }

  forget(reference: object): void {
    this.#registry.unregister(reference);
  }
}
