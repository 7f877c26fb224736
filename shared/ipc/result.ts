import { z } from 'zod'
import { ErrorInfo, type AppError } from '../errors/AppError'

/** What every IPC call returns: errors are values, never thrown strings. */
export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo }

export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

export function err(error: AppError): Result<never> {
  return { ok: false, error: error.toInfo() }
}

/** Schema of the envelope around a response schema, used to check what comes back over a transport. */
export function resultSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('ok', [
    z.object({ ok: z.literal(true), value }),
    z.object({ ok: z.literal(false), error: ErrorInfo }),
  ])
}

/** Render a zod error as short, path-qualified lines for `invalid_request` (never the payload itself). */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 20).map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : 'payload'
    return `${path}: ${issue.message}`.slice(0, 300)
  })
}
