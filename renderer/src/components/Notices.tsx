import type { Notice } from '../../../shared/settings/schema'
import { api } from '../platform/api'

export function Notices({ notices }: { readonly notices: readonly Notice[] }) {
  if (notices.length === 0) return null
  return (
    <section aria-label="Notices" className="notices">
      {notices.map((notice) => (
        <div
          key={notice.id}
          role={notice.level === 'info' ? 'status' : 'alert'}
          className={`notice notice-${notice.level}`}
        >
          <span>{notice.message}</span>
          <button
            type="button"
            className="link"
            onClick={() => void api.settings.dismissNotice({ id: notice.id })}
          >
            Dismiss
          </button>
        </div>
      ))}
    </section>
  )
}
