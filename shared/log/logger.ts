import type { LogEntry } from '../ipc/contract'
import type { Redactor } from './redact'

export type LogLevel = LogEntry['level']

/**
 * Level rubric: `debug` for anything per packet, per frame or per message; `info` for one line per lifecycle
 * transition (started, joined, left, saved), never more than about once a second; `warn` for a failure we recovered
 * from; `error` for one the user will notice.
 */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void
  info(message: string, data?: Record<string, unknown>): void
  warn(message: string, data?: Record<string, unknown>): void
  error(message: string, data?: Record<string, unknown>): void
  child(scope: string): Logger
}

export type LogSink = (entry: LogEntry) => void

/** A fixed-size buffer of the newest items, oldest dropped first. */
export class RingBuffer<T> {
  private readonly items: T[] = []
  constructor(private readonly capacity: number) {}

  push(item: T): void {
    this.items.push(item)
    if (this.items.length > this.capacity) this.items.splice(0, this.items.length - this.capacity)
  }

  /** The newest `limit` items, oldest first. */
  last(limit = this.capacity): T[] {
    return this.items.slice(-limit)
  }
}

/** A logger whose every entry passes through the redactor before any sink sees it. */
export function createLogger(scope: string, sinks: readonly LogSink[], redactor: Redactor): Logger {
  const write = (level: LogLevel, message: string, data?: Record<string, unknown>): void => {
    const entry: LogEntry = {
      time: Date.now(),
      level,
      scope,
      message: redactor.text(message),
      ...(data ? { data: redactor.data(data) as Record<string, unknown> } : {}),
    }
    for (const sink of sinks) {
      try {
        sink(entry)
      } catch {
        // A broken sink (full disk, closed stream) must never break the caller.
      }
    }
  }
  return {
    debug: (m, d) => write('debug', m, d),
    info: (m, d) => write('info', m, d),
    warn: (m, d) => write('warn', m, d),
    error: (m, d) => write('error', m, d),
    child: (sub) => createLogger(`${scope}.${sub}`, sinks, redactor),
  }
}

/** The only place that writes to the console. */
export function consoleSink(minLevel: LogLevel = 'info'): LogSink {
  const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 }
  return (entry) => {
    if (order[entry.level] < order[minLevel]) return
    const line = `${new Date(entry.time).toISOString()} ${entry.level.padEnd(5)} [${entry.scope}] ${entry.message}${
      entry.data ? ` ${JSON.stringify(entry.data)}` : ''
    }`
    // eslint-disable-next-line no-console
    ;(entry.level === 'error' || entry.level === 'warn' ? console.error : console.log)(line)
  }
}
