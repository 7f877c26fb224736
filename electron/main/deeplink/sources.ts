import type { DeepLinkInbox } from './DeepLinkInbox'

/** The two `app` events that carry links, as index.ts wires them (`app.on('second-instance' | 'open-url')`). */
export interface DeepLinkSourceApp {
  /** Windows and Linux: another launch (the OS opening a link) handed over its argv and quit. */
  onSecondInstance(listener: (argv: readonly string[]) => void): void
  /** macOS: the OS opened a link; may fire before `ready`. */
  onOpenUrl(listener: (event: { preventDefault(): void }, url: string) => void): void
}

/**
 * Feed every way a link reaches the app into the inbox: this launch's argv, later launches' argv (the single-
 * instance lock makes them quit and hand over) and macOS `open-url`. `focus` brings the existing window forward;
 * it must tolerate being called before any window exists.
 */
export function attachDeepLinkSources(
  app: DeepLinkSourceApp,
  inbox: DeepLinkInbox,
  options: { readonly argv: readonly string[]; readonly focus: () => void },
): void {
  inbox.receiveArgv(options.argv)
  app.onSecondInstance((argv) => {
    options.focus()
    inbox.receiveArgv(argv)
  })
  app.onOpenUrl((event, url) => {
    // Without preventDefault macOS treats the link as unhandled.
    event.preventDefault()
    inbox.receive(url)
    options.focus()
  })
}
