// One labelled number in a row of stats (a <dl> entry).
export function Stat(props: { label: string; value: string; title?: string; testId?: string; accent?: boolean; note?: string }) {
  return (
    <div className={`stat${props.accent ? ' stat-accent' : ''}`}>
      <dt>{props.label}</dt>
      <dd title={props.title} data-testid={props.testId}>
        {props.value}
        {props.note && <span className="stat-note">{props.note}</span>}
      </dd>
    </div>
  );
}
