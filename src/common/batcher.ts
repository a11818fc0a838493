interface Waiting<Request, Answer> {
  request: Request;
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
}

export interface BatcherOptions {
  /** Batches running at once. */
  concurrency: number;
  /** Requests per batch at most. */
  maxBatch: number;
  /**
   * A request that comes within this long of the previous one (a crowd) waits this long for
   * others; a lone request runs at once.
   */
  waitMs: number;
}

/**
 * Answers many requests with one query. A lone request runs at once; one that comes close behind
 * another (a crowd connecting after a restart) waits `waitMs` for the rest of the crowd, and
 * requests that arrive while `concurrency` batches run wait for one to finish; then they go
 * together (at most `maxBatch` each). So 2,000 sockets connecting at once cost a few dozen
 * queries instead of thousands.
 */
export class Batcher<Request, Answer> {
  private readonly queue: Waiting<Request, Answer>[] = [];
  private running = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastAskAt = -Infinity;

  /** `run` answers the requests of a batch, in the same order. */
  constructor(
    private readonly run: (requests: Request[]) => Promise<Answer[]>,
    private readonly options: BatcherOptions,
  ) {}

  ask(request: Request): Promise<Answer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      const now = Date.now();
      const crowd = now - this.lastAskAt < this.options.waitMs;
      this.lastAskAt = now;
      if (!crowd && this.timer === null) return this.pump();
      this.timer ??= setTimeout(() => {
        this.timer = null;
        this.pump();
      }, this.options.waitMs);
    });
  }

  private pump(): void {
    while (this.running < this.options.concurrency && this.queue.length > 0) {
      this.running += 1;
      void this.runBatch(this.queue.splice(0, this.options.maxBatch));
    }
  }

  private async runBatch(batch: Waiting<Request, Answer>[]): Promise<void> {
    try {
      const answers = await this.run(batch.map((entry) => entry.request));
      batch.forEach((entry, i) => entry.resolve(answers[i]));
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    } finally {
      this.running -= 1;
      this.pump();
    }
  }
}
