import { isAppUrl, isDevServerUrl } from '../security/origin'

export interface SenderFacts {
  /** The URL of the frame that sent the message (`event.senderFrame.url`); null when the frame is gone. */
  readonly frameUrl: string | null
  /** True when that frame is the top frame of its page (`senderFrame.parent === null`). */
  readonly isMainFrame: boolean
  /** `event.sender.id` */
  readonly webContentsId: number
}

/**
 * A call is trusted only when it comes from the main frame of one of our own windows, showing our own origin. An
 * iframe (even same-origin), a navigated-away page or another webContents is refused.
 */
export function isTrustedSender(
  facts: SenderFacts,
  ownWindows: ReadonlySet<number>,
  devServer?: string,
): boolean {
  return (
    ownWindows.has(facts.webContentsId) &&
    facts.isMainFrame &&
    (isAppUrl(facts.frameUrl) || isDevServerUrl(facts.frameUrl, devServer))
  )
}
