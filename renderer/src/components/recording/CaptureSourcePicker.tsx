import { useCallback, useRef, useState, type ReactNode } from 'react'
import type { CaptureSource } from '../../../../shared/recording/schemas'
import type { ChooseCaptureSource } from '../../recording/sources'

/**
 * The desktop shell's screen/window picker for recording, as a promise-returning `choose` (what
 * `displaySource` takes) plus the element to render while it is open. Cancelling resolves with null.
 */
export function useCaptureSourcePicker(): { choose: ChooseCaptureSource; picker: ReactNode } {
  const [sources, setSources] = useState<readonly CaptureSource[] | null>(null)
  const resolver = useRef<((id: string | null) => void) | null>(null)
  const choose = useCallback<ChooseCaptureSource>(
    (list) =>
      new Promise((resolve) => {
        resolver.current?.(null)
        resolver.current = resolve
        setSources(list)
      }),
    [],
  )
  const answer = (id: string | null): void => {
    resolver.current?.(id)
    resolver.current = null
    setSources(null)
  }
  const picker = sources ? <CaptureSourcePicker sources={sources} onChoose={answer} /> : null
  return { choose, picker }
}

export function CaptureSourcePicker(props: {
  readonly sources: readonly CaptureSource[]
  readonly onChoose: (id: string | null) => void
}) {
  const screens = props.sources.filter((s) => s.kind === 'screen')
  const windows = props.sources.filter((s) => s.kind === 'window')
  const group = (title: string, list: readonly CaptureSource[]) =>
    list.length > 0 && (
      <fieldset className="rec-sources">
        <legend>{title}</legend>
        {list.map((s) => (
          <button key={s.id} type="button" className="rec-source" onClick={() => props.onChoose(s.id)}>
            {s.thumbnail ? <img src={s.thumbnail} alt="" width={160} height={90} /> : null}
            <span>{s.name}</span>
          </button>
        ))}
      </fieldset>
    )
  return (
    <div className="card rec-picker" role="dialog" aria-modal="true" aria-labelledby="rec-picker-title">
      <h2 id="rec-picker-title">Choose what to record</h2>
      {props.sources.length === 0 && <p className="help">No screens or windows are available to record.</p>}
      {group('Screens', screens)}
      {group('Windows', windows)}
      <div className="actions">
        <button type="button" className="ghost" onClick={() => props.onChoose(null)}>
          Cancel
        </button>
      </div>
    </div>
  )
}
