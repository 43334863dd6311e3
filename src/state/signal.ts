/**
 * A minimal typed event: how a lower state module tells higher ones that something happened (a run's
 * samples were committed, a run started) without importing them, so that imports only point down.
 */
export interface Signal<T> {
  /** Call `f` on every emit; returns the unsubscribe function. */
  on(f: (v: T) => void): () => void;
  emit(v: T): void;
}

export function createSignal<T>(): Signal<T> {
  const subs = new Set<(v: T) => void>();
  return {
    on(f) {
      subs.add(f);
      return () => subs.delete(f);
    },
    emit(v) {
      for (const f of [...subs]) f(v);
    },
  };
}
