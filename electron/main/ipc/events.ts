import { contract, type EventName, type PayloadOf } from '../../../shared/ipc/contract'

type Listener = (channel: EventName, payload: unknown) => void

/**
 * Main → renderer events. Services emit typed payloads; each transport (Electron windows, web sockets) attaches a
 * listener and forwards. Payloads are parsed on the way out so nothing outside the contract is ever sent.
 */
export class EventHub {
  private readonly listeners = new Set<Listener>()

  emit<K extends EventName>(channel: K, payload: PayloadOf<K>): void {
    const parsed = contract[channel].payload.parse(payload)
    for (const listener of this.listeners) {
      try {
        listener(channel, parsed)
      } catch {
        // One broken transport must not stop delivery to the others.
      }
    }
  }

  attach(listener: Listener): () => void {
    this.listeners.add(listener)
    return () => void this.listeners.delete(listener)
  }
}
