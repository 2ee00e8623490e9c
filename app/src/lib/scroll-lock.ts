let locks = 0;

/**
 * Stops the page from scrolling behind a modal; returns the release. Counted, so a dialog
 * opened from a dialog keeps the page still until the last one closes.
 */
export function lockPageScroll(): () => void {
  locks += 1;
  document.documentElement.classList.add("scroll-locked");
  let released = false;
  return () => {
    if (released) return;
    released = true;
    locks -= 1;
    if (locks === 0) document.documentElement.classList.remove("scroll-locked");
  };
}
