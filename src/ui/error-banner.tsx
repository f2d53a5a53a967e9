// The page's message banner: what went wrong, in words, with what to do next.
import { useStudioStore } from '../store/studio-store';
import { noticeText } from './error-text';

export function ErrorBanner() {
  const notice = useStudioStore((s) => s.notice);
  const dismiss = useStudioStore((s) => s.dismissNotice);
  if (!notice) return null;
  const text = noticeText(notice);
  return (
    <div
      className={`banner banner-${text.tone}`}
      role={text.tone === 'error' ? 'alert' : 'status'}
      data-testid="error-banner"
      data-code={notice.code}
    >
      <div className="banner-body">
        <strong className="banner-title">{text.title}</strong>
        <p className="banner-message" data-testid="error-message">{notice.message}</p>
        <p className="banner-hint">{text.hint}</p>
      </div>
      <button type="button" className="button-ghost" onClick={dismiss} aria-label="Dismiss message">
        ✕
      </button>
    </div>
  );
}
