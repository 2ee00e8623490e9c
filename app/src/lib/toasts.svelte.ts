type ToastTone = "info" | "success" | "error";

interface Toast {
  id: number;
  tone: ToastTone;
  message: string;
}

const VISIBLE_MS = { info: 5_000, success: 5_000, error: 9_000 } satisfies Record<ToastTone, number>;

/** Short notices in the corner (announced politely to screen readers by `Toasts.svelte`). */
class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  show(tone: ToastTone, message: string): void {
    const id = this.#next++;
    this.items = [...this.items, { id, tone, message }].slice(-4);
    setTimeout(() => this.dismiss(id), VISIBLE_MS[tone]);
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
