// Keyboard activation for elements that act as buttons but cannot be <button>s (table rows, SVG
// chart points): Enter or Space does what a click does.
import type { KeyboardEvent } from 'react';

export function activatesOnKey(action: () => void): (e: KeyboardEvent) => void {
  return (e) => {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    e.preventDefault();
    action();
  };
}
