import { backoffDelay } from "$core/backoff";
import { LiveFrame } from "$contract";

type ConnectionStatus = "connecting" | "live" | "reconnecting" | "offline" | "refused";

/** The room answers the text "ping" with "pong" without waking (setWebSocketAutoResponse). */
const PING_EVERY_MS = 20_000;
/** Two missed pongs: the socket is dead even if the browser has not noticed yet. */
const SILENCE_LIMIT_MS = 45_000;
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 10_000;
/** After this many failed attempts in a row the badge says Offline (retries go on). */
const OFFLINE_AFTER_FAILURES = 5;

interface LiveOptions {
  /** Asked at every (re)connect, so a reconnect resumes from the latest seq. */
  url: () => string;
  onFrame: (frame: LiveFrame) => void;
  /**
   * The server refused the socket (close code 4000 + HTTP status: 4401 signed out, 4403/4404 no
   * access). Retrying cannot help, so the connection stops and hands over.
   */
  onRefused?: (status: number, reason: string) => void;
}

/**
 * The project room's WebSocket: validated frames in, pings out, reconnects with capped
 * exponential backoff and full jitter. `status` is what the connection badge shows.
 */
export class LiveConnection {
  status = $state<ConnectionStatus>("connecting");
  /** Failed attempts since the last good connection. */
  failures = $state(0);
  /** When the next attempt starts (ms epoch), while one is scheduled. */
  retryAt = $state<number | null>(null);

  readonly #options: LiveOptions;
  #socket: WebSocket | null = null;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #pingTimer: ReturnType<typeof setInterval> | undefined;
  #lastHeard = 0;
  #running = false;

  constructor(options: LiveOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    window.addEventListener("online", this.#onOnline);
    window.addEventListener("offline", this.#onOffline);
    document.addEventListener("visibilitychange", this.#onVisible);
    this.#connect();
  }

  stop(): void {
    this.#running = false;
    window.removeEventListener("online", this.#onOnline);
    window.removeEventListener("offline", this.#onOffline);
    document.removeEventListener("visibilitychange", this.#onVisible);
    this.#drop();
    clearTimeout(this.#retryTimer);
    this.retryAt = null;
  }

  /** Skips the remaining backoff (the badge's "Retry now"). */
  retryNow(): void {
    if (!this.#running || this.status === "live" || this.#socket) return;
    this.#connect();
  }

  #connect(): void {
    clearTimeout(this.#retryTimer);
    this.retryAt = null;
    if (!navigator.onLine) {
      this.status = "offline";
      return;
    }
    const socket = new WebSocket(this.#options.url());
    this.#socket = socket;
    socket.addEventListener("open", () => {
      if (socket !== this.#socket) return;
      this.#lastHeard = Date.now();
      this.#pingTimer = setInterval(() => this.#ping(socket), PING_EVERY_MS);
    });
    socket.addEventListener("message", (event) => {
      if (socket !== this.#socket) return;
      this.#lastHeard = Date.now();
      this.#receive(event.data);
    });
    // "error" is always followed by "close", so close alone drives the retry.
    socket.addEventListener("close", (event) => {
      if (socket !== this.#socket) return;
      this.#drop();
      if (event.code >= 4400 && event.code < 4500) {
        this.status = "refused";
        this.stop();
        this.#options.onRefused?.(event.code - 4000, event.reason);
        return;
      }
      this.#scheduleRetry();
    });
  }

  #receive(data: unknown): void {
    if (typeof data !== "string" || data === "pong") return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      console.warn("live: ignoring a frame that is not JSON");
      return;
    }
    const frame = LiveFrame.safeParse(json);
    if (!frame.success) {
      console.warn("live: ignoring a frame that does not match the contract", frame.error.issues);
      return;
    }
    if (frame.data.type === "hello") {
      this.status = "live";
      this.failures = 0;
    }
    this.#options.onFrame(frame.data);
  }

  #ping(socket: WebSocket): void {
    if (Date.now() - this.#lastHeard > SILENCE_LIMIT_MS) {
      this.#drop();
      this.#scheduleRetry();
      return;
    }
    if (socket.readyState === WebSocket.OPEN) socket.send("ping");
  }

  #scheduleRetry(): void {
    if (!this.#running) return;
    this.failures += 1;
    if (!navigator.onLine) {
      this.status = "offline";
      return;
    }
    this.status = this.failures >= OFFLINE_AFTER_FAILURES ? "offline" : "reconnecting";
    const delay = backoffDelay(this.failures - 1, { baseMs: BACKOFF_FIRST_MS, capMs: BACKOFF_MAX_MS });
    this.retryAt = Date.now() + delay;
    this.#retryTimer = setTimeout(() => this.#connect(), delay);
  }

  /** Forgets the current socket (its late events are ignored) and closes it. */
  #drop(): void {
    clearInterval(this.#pingTimer);
    const socket = this.#socket;
    this.#socket = null;
    if (socket && socket.readyState <= WebSocket.OPEN) socket.close(1000, "client closing");
  }

  readonly #onOnline = (): void => {
    if (this.#running && !this.#socket) this.#connect();
  };

  readonly #onOffline = (): void => {
    if (!this.#running) return;
    this.#drop();
    clearTimeout(this.#retryTimer);
    this.retryAt = null;
    this.status = "offline";
  };

  readonly #onVisible = (): void => {
    if (document.visibilityState === "visible") this.retryNow();
  };
}
