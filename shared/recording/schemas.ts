import { z } from 'zod'

/** Opaque id of one recording session, minted by main. */
export const RecordingId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/)
export type RecordingId = z.infer<typeof RecordingId>

/**
 * A file in the recordings folder, by name only: letters, digits, dot, dash and underscore, ending in .webm.
 * No separators, so a name can never point outside the folder.
 */
export const RecordingFileName = z
  .string()
  .max(160)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*\.webm$/)
  .refine((name) => !name.includes('..'), 'must not contain ".."')
export type RecordingFileName = z.infer<typeof RecordingFileName>

/** Which room a recording belongs to; room codes and ids are short and URL-safe. */
export const RecordingRoom = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/)

/** `meeting`: the composed meeting layout; `screen`: a screen or window the user picked. */
export const RecordingSourceKind = z.enum(['meeting', 'screen'])
export type RecordingSourceKind = z.infer<typeof RecordingSourceKind>

export const StartRecordingRequest = z
  .object({
    room: RecordingRoom,
    source: RecordingSourceKind,
    /** What MediaRecorder will produce; only WebM is accepted (finalisation is WebM-specific). */
    mimeType: z
      .string()
      .max(100)
      .regex(/^video\/webm(;.*)?$/),
    width: z.number().int().min(16).max(7680),
    height: z.number().int().min(16).max(4320),
  })
  .strict()
export type StartRecordingRequest = z.infer<typeof StartRecordingRequest>

/**
 * Why a recording ended. `disk_low` and `stream_lost` are decided by main; `forbidden` is a host's order (they
 * no longer let participants record); the file is kept in every case.
 */
export const StopReason = z.enum(['user', 'meeting_ended', 'disk_low', 'stream_lost', 'error', 'forbidden'])
export type StopReason = z.infer<typeof StopReason>

export const RecordingEntry = z.object({
  name: RecordingFileName,
  bytes: z.number().int().nonnegative(),
  /** Last modification, ms since the epoch. */
  modifiedAt: z.number(),
  /** Null while recording, or for a file a crash left unfinished and not yet repaired. */
  durationMs: z.number().nonnegative().nullable(),
  width: z.number().int().nullable(),
  height: z.number().int().nullable(),
  /** `recording`: being written now; `ready`: finalised (seekable); `unfinished`: no duration or seek index. */
  status: z.enum(['recording', 'ready', 'unfinished']),
})
export type RecordingEntry = z.infer<typeof RecordingEntry>

export const ActiveRecordingState = z.enum(['waiting', 'recording', 'paused', 'finishing', 'stopped'])
export type ActiveRecordingState = z.infer<typeof ActiveRecordingState>

/** Progress of this app's own recording, pushed by main about once a second and on every state change. */
export const RecordingStatus = z.object({
  id: RecordingId,
  name: RecordingFileName,
  room: RecordingRoom,
  state: ActiveRecordingState,
  bytes: z.number().int().nonnegative(),
  /** Media time received by main so far. */
  durationMs: z.number().nonnegative(),
  /** Free space where the file is written, in bytes; null when the OS cannot tell. */
  freeBytes: z.number().nonnegative().nullable(),
  /** Set once `state` is `stopped`. */
  reason: StopReason.optional(),
  /** A sentence for the user when the stop was not their own doing (disk full, lost connection). */
  message: z.string().max(500).optional(),
  entry: RecordingEntry.optional(),
})
export type RecordingStatus = z.infer<typeof RecordingStatus>

export const StartRecordingResponse = z.object({
  id: RecordingId,
  name: RecordingFileName,
  /** Where the file goes, for display ("Videos/Convene"). */
  folder: z.string().max(4096),
})

/**
 * What every participant of a room sees about recording: whether one is running (and by whom), whether the
 * host lets others record, and whether this participant may start one now.
 */
export const RoomRecordingState = z.object({
  room: RecordingRoom,
  active: z.boolean(),
  paused: z.boolean(),
  /** Display name of whoever records; empty when unknown. */
  byName: z.string().max(100),
  /** True when this participant is the one recording. */
  byMe: z.boolean(),
  allowOthers: z.boolean(),
  isHost: z.boolean(),
  canRecord: z.boolean(),
  /** Why `canRecord` is false, in words for the user. */
  reason: z.string().max(300).optional(),
})
export type RoomRecordingState = z.infer<typeof RoomRecordingState>

/** A screen or window offered by the desktop shell's capturer (Electron only). */
export const CaptureSource = z.object({
  id: z.string().max(200),
  name: z.string().max(300),
  kind: z.enum(['screen', 'window']),
  /** A small PNG data URL, or empty. */
  thumbnail: z.string().max(400_000),
})
export type CaptureSource = z.infer<typeof CaptureSource>

export const RecordingLinks = z.object({
  /** URL a `<video>` can play (supports range requests), or null where the shell cannot serve one. */
  play: z.string().max(2000).nullable(),
  /** URL that downloads the file, or null. */
  download: z.string().max(2000).nullable(),
})
export type RecordingLinks = z.infer<typeof RecordingLinks>
