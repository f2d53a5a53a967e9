// Deleting from a history list (sweep runs, evaluations, compress results), the same everywhere:
// the row's Delete turns into an inline confirmation (Delete / Keep, Keep focused), and a deleted
// entry leaves a line with Undo above the list. Test ids are `<testId>-confirm`,
// `<testId>-confirm-delete`, `<testId>-confirm-keep`, `<testId>-deleted` and `<testId>-undo`.

/** The inline "Delete …? Delete / Keep" that replaces a row's actions while it asks. */
export function ConfirmDelete({ what, prompt, testId, onDelete, onKeep }: { what: string; prompt: string; testId: string; onDelete: () => void; onKeep: () => void }) {
  return (
    <span className="history-confirm" role="alertdialog" aria-label={`Delete ${what}?`} data-testid={`${testId}-confirm`}>
      <span className="small">{prompt}</span>
      <button type="button" className="button button-small button-danger" data-testid={`${testId}-confirm-delete`} onClick={onDelete}>
        Delete
      </button>
      <button type="button" className="button button-small" autoFocus onClick={onKeep} data-testid={`${testId}-confirm-keep`}>
        Keep
      </button>
    </span>
  );
}

/** "Deleted …. Undo" after a delete, until the next one. */
export function DeletedNotice({ text, testId, onUndo }: { text: string; testId: string; onUndo: () => void }) {
  return (
    <p className="small history-undo" role="status" data-testid={`${testId}-deleted`}>
      {text}{' '}
      <button type="button" className="button button-small" onClick={onUndo} data-testid={`${testId}-undo`}>
        Undo
      </button>
    </p>
  );
}
