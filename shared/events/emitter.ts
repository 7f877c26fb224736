/**
 * A typed event emitter (STYLE.md rule 6): one event map per emitter, `on()` returns its disposer, and `emit`
 * is safe: a throwing listener (UI code) is reported to `onListenerError` and never breaks the emitter's owner.
 */
export type EventMap = { readonly [event: string]: (...args: never[]) => void }

export class TypedEmitter<E extends EventMap> {
  private readonly listeners = new Map<keyof E, Set<E[keyof E]>>()

  constructor(private readonly onListenerError: (error: unknown, event: keyof E) => void = () => undefined) {}

  on<K extends keyof E>(event: K, listener: E[K]): () => void {
    let set = this.listeners.get(event)
    if (!set) this.listeners.set(event, (set = new Set()))
    set.add(listener)
    return () => void set.delete(listener)
  }

  emit<K extends keyof E>(event: K, ...args: Parameters<E[K]>): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        ;(listener as (...a: Parameters<E[K]>) => void)(...args)
      } catch (error) {
        this.onListenerError(error, event)
      }
    }
  }

  removeAll(): void {
    this.listeners.clear()
  }
}
