// Credit for the bundled evaluation text (WikiText-2, CC BY-SA 3.0), next to the evaluation controls.
export function EvalCredit() {
  return (
    <p className="eval-credit small muted" data-testid="eval-credit">
      Evaluation text: the start of the WikiText-2 test split (Merity et al., 2016,{' '}
      <a href="https://arxiv.org/abs/1609.07843" target="_blank" rel="noreferrer">arXiv:1609.07843</a>), from Wikipedia
      articles, under{' '}
      <a href="https://creativecommons.org/licenses/by-sa/3.0/" target="_blank" rel="noreferrer">CC BY-SA 3.0</a>.{' '}
      <a href={`${import.meta.env.BASE_URL}eval/ATTRIBUTION.md`} target="_blank" rel="noreferrer">Attribution</a>
    </p>
  );
}
