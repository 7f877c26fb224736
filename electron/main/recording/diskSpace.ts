import { statfs } from 'node:fs/promises'

/** Free bytes available to this user on the filesystem holding `dir`, or null when the OS cannot tell. */
export async function freeBytesAt(dir: string): Promise<number | null> {
  try {
    const stats = await statfs(dir)
    return stats.bavail * stats.bsize
  } catch {
    return null
  }
}

export interface DiskThresholds {
  /** Refuse to start below this many free bytes. */
  readonly minFreeToStart: number
  /** Stop a running recording (keeping the file) when free space falls below this. */
  readonly stopBelow: number
}

/**
 * Defaults sized for the worst case we record: 1080p screen content at up to ~4 Mbit/s is ~30 MB a minute, so
 * 500 MB leaves over a quarter of an hour for the rest of the system after we stop.
 */
export const DEFAULT_DISK_THRESHOLDS: DiskThresholds = {
  minFreeToStart: 1024 * 1024 * 1024,
  stopBelow: 500 * 1024 * 1024,
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`
  return `${Math.round(bytes / 1024 ** 2)} MB`
}
