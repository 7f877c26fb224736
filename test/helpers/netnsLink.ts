import { execFileSync } from 'node:child_process'

/**
 * The media link of scripts/netns.sh's private namespace (veth `rtc0`, 10.77.0.1). The kernel here has no netem
 * or iptables, so a link cut is the address removed and restored.
 */
export function setMediaAddress(action: 'add' | 'del'): void {
  try {
    execFileSync('ip', ['addr', action, '10.77.0.1/24', 'dev', 'rtc0'], { stdio: 'ignore' })
  } catch {
    // 'add' when already present, or 'del' when already gone: restoring twice is harmless.
  }
}

export function hasInterface(name: string): boolean {
  try {
    execFileSync('ip', ['link', 'show', name], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
