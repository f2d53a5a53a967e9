// When an opened file is an export of the studio, the recipe it was made with is offered to the
// editor (to repeat it on the original, or to start from it).
import { quantizeLabel } from '../../core/recipe';
import { useStudioStore } from '../../store/studio-store';

export function RecipeOffer() {
  const offered = useStudioStore((s) => s.offeredRecipe);
  const accept = useStudioStore((s) => s.acceptOfferedRecipe);
  const dismiss = useStudioStore((s) => s.dismissOfferedRecipe);
  if (!offered) return null;
  const { recipe, version } = offered;
  const summary = recipe.preset ? `llama.cpp ${recipe.preset}` : [...new Set(recipe.rules.map((r) => (r.quantize ? quantizeLabel(r.quantize) : 'keep')))].join(', ') || 'no rules';
  return (
    <div className="banner banner-info" role="status" data-testid="recipe-offer">
      <div className="banner-body">
        <strong className="banner-title">Made by Compression Studio {version}</strong>
        <p className="banner-message">This file carries the recipe it was made with ({recipe.rules.length} rule{recipe.rules.length === 1 ? '' : 's'}: {summary}).</p>
      </div>
      <button type="button" className="button" onClick={accept} data-testid="recipe-offer-accept">Use this recipe</button>
      <button type="button" className="button-ghost" onClick={dismiss} aria-label="Dismiss">✕</button>
    </div>
  );
}
