import { z } from 'zod'

/**
 * Wire shapes of the desktop integration channels (updates, notifications, power events). Pure zod, shared by
 * main and the renderer.
 */

export const UpdatePhaseKind = z.enum([
  'idle',
  'checking',
  'upToDate',
  'available',
  'downloading',
  'pausing',
  'downloaded',
  'installing',
  'failed',
])
export type UpdatePhaseKind = z.infer<typeof UpdatePhaseKind>

/** What the settings page and the update banner show. Times are epoch milliseconds. */
export const UpdateStatus = z.object({
  /** False in development builds, web mode and packages the updater cannot replace (e.g. a Snap). */
  supported: z.boolean(),
  /** The user's "check for updates automatically" setting. */
  autoUpdate: z.boolean(),
  /** Downloads and installs wait while this is true. */
  inMeeting: z.boolean(),
  currentVersion: z.string().max(64),
  phase: UpdatePhaseKind,
  /** The version found, being downloaded or ready to install. */
  version: z.string().max(64).optional(),
  /** 0–100 while downloading. */
  percent: z.number().min(0).max(100).optional(),
  /** For `failed`: what went wrong and what happens next, in words for the user. */
  message: z.string().max(500).optional(),
  lastCheckedAt: z.number().nullable(),
  nextCheckAt: z.number().nullable(),
})
export type UpdateStatus = z.infer<typeof UpdateStatus>

const Name = z.string().trim().min(1).max(64)

/** Something the renderer wants the OS to show while the window is hidden or unfocused. */
export const DesktopNotification = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('chat'), from: Name, text: z.string().max(2000) }).strict(),
  z.object({ kind: z.literal('joinRequest'), name: Name }).strict(),
])
export type DesktopNotification = z.infer<typeof DesktopNotification>

/** The user clicked a notification: the window is already focused; the renderer opens the matching panel. */
export const NotificationClick = z.object({ kind: z.enum(['chat', 'joinRequest']) })
export type NotificationClick = z.infer<typeof NotificationClick>

/**
 * What the meeting must do because of the OS: `leave` before the machine sleeps or shuts down, `mute` (camera and
 * microphone) when the screen locks. Nothing is ever resumed automatically: rejoining and unmuting take a click.
 */
export const PowerAction = z.object({
  action: z.enum(['leave', 'mute']),
  reason: z.enum(['suspend', 'shutdown', 'lock-screen']),
})
export type PowerAction = z.infer<typeof PowerAction>

export const MeetingState = z.object({ inMeeting: z.boolean() }).strict()
export type MeetingState = z.infer<typeof MeetingState>
