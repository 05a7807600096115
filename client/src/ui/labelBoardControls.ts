/**
 * tldraw 3.15's style-panel sliders (opacity) render a thumb with role="slider" and no
 * accessible name (its title sits on the slider's root): a screen reader says "slider" only,
 * and axe reports aria-input-field-name. Until tldraw names it, the thumb gets the root's title
 * ("Opacité — …") as its label, whenever tldraw renders one.
 */
export function labelBoardControls(container: HTMLElement): () => void {
  const label = (): void => {
    for (const thumb of container.querySelectorAll<HTMLElement>('.tlui-slider__thumb:not([aria-label])')) {
      const title = thumb.closest('.tlui-slider')?.getAttribute('title');
      if (title) thumb.setAttribute('aria-label', title);
    }
  };
  label();
  const observer = new MutationObserver(label);
  observer.observe(container, { childList: true, subtree: true });
  return () => observer.disconnect();
}
