// Visible progress for long commands: numbered steps, each line timed, and sub-step notes in between.

export interface StepRecord {
  name: string;
  ms: number;
}

export class StepProgress {
  private n = 0;
  readonly done: StepRecord[] = [];

  constructor(
    private readonly write: (line: string) => void,
    private readonly total: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Runs one step, printing its number and name, then its duration (or that it failed). */
  async step<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const index = ++this.n;
    const started = this.now();
    this.write(`[${index}/${this.total}] ${name} ...`);
    try {
      const value = await fn();
      const ms = this.now() - started;
      this.done.push({ name, ms: Math.round(ms) });
      this.write(`[${index}/${this.total}] ${name}: done in ${formatMs(ms)}`);
      return value;
    } catch (err) {
      this.write(`[${index}/${this.total}] ${name}: FAILED after ${formatMs(this.now() - started)}`);
      throw err;
    }
  }

  note(message: string): void {
    this.write(`      ${message}`);
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
