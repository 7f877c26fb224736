import { useCallback, useEffect, useState } from 'react'
import { AppError } from '../../../../shared/errors/AppError'
import type { ConveneApi } from '../../../../shared/ipc/api'
import type { RecordingEntry, RecordingLinks } from '../../../../shared/recording/schemas'
import { formatDuration, formatSize } from './format'

type ListApi = Pick<ConveneApi['recording'], 'list' | 'delete' | 'reveal' | 'getLinks' | 'onListChanged'>

/**
 * The recordings folder: play a file inline, reveal it in the file manager (desktop) or download it (web),
 * delete it after a second click.
 */
export function RecordingsList({
  api,
  shell,
}: {
  readonly api: ListApi
  readonly shell: 'electron' | 'web'
}) {
  const [entries, setEntries] = useState<RecordingEntry[] | null>(null)
  const [folder, setFolder] = useState('')
  const [error, setError] = useState<string | null>(null)
  const [playing, setPlaying] = useState<{ name: string; links: RecordingLinks } | null>(null)
  const [confirming, setConfirming] = useState<string | null>(null)

  const refresh = useCallback(() => {
    api
      .list({})
      .then((result) => {
        setEntries(result.entries)
        setFolder(result.folder)
      })
      .catch((e: unknown) => setError(AppError.from(e).message))
  }, [api])
  useEffect(() => {
    refresh()
    return api.onListChanged(() => refresh())
  }, [api, refresh])

  const act = async (work: () => Promise<unknown>): Promise<void> => {
    setError(null)
    try {
      await work()
    } catch (e) {
      setError(AppError.from(e).message)
    }
  }
  const play = (name: string): Promise<void> =>
    act(async () => setPlaying({ name, links: await api.getLinks({ name }) }))
  const download = (name: string): Promise<void> =>
    act(async () => {
      const links = await api.getLinks({ name })
      if (!links.download) throw AppError.invalidRequest('Downloading is not available here.')
      const a = document.createElement('a')
      a.href = links.download
      a.download = name
      a.click()
    })
  const remove = (name: string): Promise<void> =>
    act(async () => {
      await api.delete({ name })
      setConfirming(null)
      if (playing?.name === name) setPlaying(null)
    })

  return (
    <section className="card rec-list" aria-labelledby="rec-list-title">
      <h2 id="rec-list-title">Recordings</h2>
      {folder && <p className="help">Saved in {folder}</p>}
      {error && (
        <p className="notice notice-error" role="alert">
          {error}
        </p>
      )}
      {entries && entries.length === 0 && <p className="help">No recordings yet.</p>}
      {entries && entries.length > 0 && (
        <ul className="rec-entries">
          {entries.map((entry) => (
            <li
              key={entry.name}
              data-testid="recording-entry"
              data-name={entry.name}
              data-status={entry.status}
            >
              <div className="rec-entry-head">
                <span className="rec-name">{entry.name}</span>
                <span className="help">
                  {entry.status === 'recording'
                    ? 'Recording…'
                    : `${entry.durationMs !== null ? formatDuration(entry.durationMs) : 'unfinished'} · ${formatSize(entry.bytes)}`}
                  {entry.width && entry.height ? ` · ${entry.width}×${entry.height}` : ''}
                </span>
              </div>
              {entry.status !== 'recording' && (
                <div className="actions">
                  <button type="button" onClick={() => void play(entry.name)}>
                    Play
                  </button>
                  {shell === 'electron' ? (
                    <button type="button" onClick={() => void act(() => api.reveal({ name: entry.name }))}>
                      Show in folder
                    </button>
                  ) : (
                    <button type="button" onClick={() => void download(entry.name)}>
                      Download
                    </button>
                  )}
                  {confirming === entry.name ? (
                    <button type="button" className="danger" onClick={() => void remove(entry.name)}>
                      Delete for good
                    </button>
                  ) : (
                    <button type="button" className="ghost" onClick={() => setConfirming(entry.name)}>
                      Delete
                    </button>
                  )}
                </div>
              )}
              {playing?.name === entry.name &&
                (playing.links.play ? (
                  <video
                    className="rec-player"
                    controls
                    preload="metadata"
                    src={playing.links.play}
                    data-testid="recording-player"
                    aria-label={`Playback of ${entry.name}`}
                  />
                ) : (
                  <p className="help">Open it from the folder to play it.</p>
                ))}
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
