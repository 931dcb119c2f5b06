/** isTyping reports whether focus is in a text field, which a dialog must not take focus from. */
export function isTyping(): boolean {
  const active = document.activeElement
  return active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement || active instanceof HTMLSelectElement
}
