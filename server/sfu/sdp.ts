/** What the SFU needs to know about one m-section of an SDP. */
export interface MediaSection {
  readonly index: number
  readonly kind: string
  readonly port: number
  readonly mid: string | undefined
  readonly direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive'
  /** rids the endpoint sends (`a=rid:<id> send`), in the order offered. */
  readonly sendRids: readonly string[]
}

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive'])

function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((l, i, all) => l.length > 0 || i < all.length - 1)
}

/** The m-sections of an SDP, in order. */
export function mediaSections(sdp: string): MediaSection[] {
  const out: MediaSection[] = []
  let current: { kind: string; port: number; mid?: string; direction?: string; rids: string[] } | undefined
  const flush = (): void => {
    if (!current) return
    out.push({
      index: out.length,
      kind: current.kind,
      port: current.port,
      mid: current.mid,
      direction: (current.direction ?? 'sendrecv') as MediaSection['direction'],
      sendRids: current.rids,
    })
  }
  for (const line of splitLines(sdp)) {
    if (line.startsWith('m=')) {
      flush()
      const [kind = '', port = '0'] = line.slice(2).split(' ')
      current = { kind, port: Number(port), rids: [] }
      continue
    }
    if (!current) continue
    if (line.startsWith('a=mid:')) current.mid = line.slice(6).trim()
    else if (line.startsWith('a=rid:')) {
      const [rid, dir] = line.slice(6).trim().split(/\s+/)
      if (rid && dir === 'send') current.rids.push(rid)
    } else if (line.startsWith('a=') && DIRECTIONS.has(line.slice(2).trim())) {
      current.direction = line.slice(2).trim()
    }
  }
  flush()
  return out
}

/**
 * werift keeps rejected (port 0) m-sections in `a=group:BUNDLE` of the SDP it produces, and Chromium refuses such
 * an answer ("A BUNDLE group in answer contains a MID that was not in the offered group"). Drop those mids; drop
 * the group line when nothing is left in it.
 */
export function stripRejectedFromBundle(sdp: string): string {
  const sections = mediaSections(sdp)
  const rejected = new Set(sections.filter((s) => s.port === 0 && s.mid !== undefined).map((s) => s.mid!))
  if (rejected.size === 0) return sdp
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n'
  const lines = sdp.split(eol)
  const kept: string[] = []
  for (const line of lines) {
    if (line.startsWith('a=group:BUNDLE')) {
      const mids = line
        .slice('a=group:BUNDLE'.length)
        .trim()
        .split(/\s+/)
        .filter((m) => m.length > 0 && !rejected.has(m))
      if (mids.length === 0) continue
      kept.push(`a=group:BUNDLE ${mids.join(' ')}`)
      continue
    }
    kept.push(line)
  }
  return kept.join(eol)
}

/** The session-level or first media-level ICE ufrag, to tell an ICE restart from a plain renegotiation. */
export function iceUfrag(sdp: string): string | undefined {
  const match = /^a=ice-ufrag:(\S+)/m.exec(sdp)
  return match?.[1]
}

/** The first mid of the first BUNDLE group: the m-section whose transport the whole bundle uses. */
export function bundleTag(sdp: string | undefined): string | undefined {
  const match = sdp ? /^a=group:BUNDLE[ \t]+(\S+)/m.exec(sdp) : null
  return match?.[1]
}
