import type { BrowserWindowConstructorOptions } from 'electron'

/**
 * The one place BrowserWindow options are made. A unit test pins every security-relevant field, so a change here
 * is a reviewed decision, not an accident.
 */
export function mainWindowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 720,
    minHeight: 480,
    show: false,
    backgroundColor: '#0f1115',
    title: 'Convene',
    autoHideMenuBar: true,
    webPreferences: {
      preload: preloadPath,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      safeDialogs: true,
      // Meetings keep running (timers, audio, WebRTC stats) while the window is in the background.
      backgroundThrottling: false,
    },
  }
}
