import type { Env as WorkerEnv } from './env'

// The bindings the workerd tests see (`env` from cloudflare:test / cloudflare:workers).
declare global {
  namespace Cloudflare {
    // eslint-disable-next-line @typescript-eslint/no-empty-object-type
    interface Env extends WorkerEnv {}
  }
}
