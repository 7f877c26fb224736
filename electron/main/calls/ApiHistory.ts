import type { ApiExchange } from '../../../shared/calls/ipc'
import { RingBuffer } from '../../../shared/log/logger'
import type { Redactor } from '../../../shared/log/redact'

/** Longest string kept in a recorded body (SDP is the usual long one); the rest is cut with a marker. */
const MAX_STRING = 8 * 1024

export type ApiExchangeInput = Omit<ApiExchange, 'id'>

/**
 * The recent Calls/TURN exchanges for the diagnostics view (Orange keeps the same "API history"). Entries are
 * made safe on the way in: headers are never recorded, bodies go through the redactor (secrets the vault knows,
 * credential-named fields such as TURN's `credential`), then long strings are truncated. Redaction runs before
 * truncation so a secret cut in half at the boundary cannot slip through.
 */
export class ApiHistory {
  private readonly buffer: RingBuffer<ApiExchange>
  private nextId = 1

  constructor(
    readonly capacity: number,
    private readonly redactor: Redactor,
  ) {
    this.buffer = new RingBuffer<ApiExchange>(capacity)
  }

  record(input: ApiExchangeInput): void {
    const entry: ApiExchange = {
      ...input,
      id: this.nextId++,
      path: this.redactor.text(input.path),
      ...(input.request !== undefined ? { request: this.clean(input.request) } : {}),
      ...(input.response !== undefined ? { response: this.clean(input.response) } : {}),
      ...(input.error ? { error: { ...input.error, message: this.redactor.text(input.error.message) } } : {}),
    }
    this.buffer.push(entry)
  }

  /** The newest `limit` exchanges, oldest first. */
  list(limit = this.capacity): ApiExchange[] {
    return this.buffer.last(limit)
  }

  private clean(value: unknown): unknown {
    return truncate(this.redactor.data(value))
  }
}

function truncate(value: unknown): unknown {
  if (typeof value === 'string') {
    return value.length > MAX_STRING
      ? `${value.slice(0, MAX_STRING)}… [${value.length - MAX_STRING} more characters]`
      : value
  }
  if (Array.isArray(value)) return value.map(truncate)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, truncate(v)]))
  }
  return value
}
