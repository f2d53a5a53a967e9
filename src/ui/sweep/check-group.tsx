// A row of toggle chips (checkboxes) for one sweep axis.
export interface CheckOption<T> {
  value: T;
  label: string;
  testId: string;
}

export function CheckGroup<T>(props: { legend: string; options: CheckOption<T>[]; checked: readonly T[]; onToggle: (value: T) => void; disabled: boolean }) {
  return (
    <fieldset className="field" disabled={props.disabled}>
      <legend>{props.legend}</legend>
      <div className="chips">
        {props.options.map((o) => (
          <label key={o.testId} className="chip">
            <input type="checkbox" checked={props.checked.includes(o.value)} onChange={() => props.onToggle(o.value)} data-testid={o.testId} />
            <span>{o.label}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
