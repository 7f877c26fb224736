import type { Env } from './env'
import { route } from './routes/router'

export { RoomObject } from './room/RoomObject'

// Workers take their entry point from the module's default export; the routing lives in routes/.
// eslint-disable-next-line no-restricted-syntax
export default {
  fetch: (req, env) => route(req, env),
} satisfies ExportedHandler<Env>
