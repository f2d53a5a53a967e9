// A row of toggle chips (checkboxes) for one sweep axis, with its help link.
import { HelpLink, type HelpTopic } from '../help';
export interface CheckOption<T> {
  value: T;
  label: string;
  testId: string;
}

export function CheckGroup<T>(props: { legend: string; options: CheckOption<T>[]; checked: readonly T[]; onToggle: (value: T) => void; disabled: boolean; help?: HelpTopic }) {
  return (
    <fieldset className="field" disabled={props.disabled}>
      <legend>
        {props.legend}
        {props.help && <HelpLink topic={props.help} />}
      </legend>
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
