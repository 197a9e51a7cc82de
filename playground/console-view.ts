// The guests' consoles: one box per VM, filled by the worker's console events as the guest writes.
export class ConsoleView {
  private readonly boxes = new Map<string, HTMLPreElement>();

  constructor(private readonly container: HTMLElement) {}

  reset(): void {
    this.boxes.clear();
    this.container.replaceChildren();
  }

  add(key: string, title: string): void {
    if (this.boxes.has(key)) return;
    const figure = document.createElement('figure');
    figure.className = 'console';
    const caption = document.createElement('figcaption');
    caption.textContent = `console: ${title}`;
    const pre = document.createElement('pre');
    pre.dataset['vm'] = key;
    figure.append(caption, pre);
    this.container.append(figure);
    this.boxes.set(key, pre);
  }

  /** The whole output so far (a snapshot's), which also undoes what a step back took back. */
  set(key: string, text: string): void {
    const pre = this.boxes.get(key);
    if (pre && pre.textContent !== text) {
      pre.textContent = text.length > 200_000 ? text.slice(text.length - 200_000) : text;
      pre.scrollTop = pre.scrollHeight;
    }
  }

  write(key: string, text: string): void {
    let pre = this.boxes.get(key);
    if (!pre) {
      this.add(key, key);
      pre = this.boxes.get(key)!;
    }
    // Bounded: a chatty guest must not grow the page without end.
    const next = (pre.textContent ?? '') + text;
    pre.textContent = next.length > 200_000 ? next.slice(next.length - 200_000) : next;
    pre.scrollTop = pre.scrollHeight;
  }
}
