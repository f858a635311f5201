import type { Logger } from 'pino';
import { within } from './consumers/runner';

/** One part of ingest that starts and stops (docs/architecture.md "Conventions" 9: its stop is bounded in time). */
export interface Step {
  name: string;
  start: () => Promise<void>;
  /** Undefined: nothing to stop (a later step closes what this one made). */
  stop?: (() => Promise<void> | void) | undefined;
  /** The stop may take this long; past it ingest logs the step and goes on. */
  stopWithinMs: number;
}

/**
 * Starts steps in the order given and stops the started ones in the reverse order, each
 * within its own time: the one place ingest's start-up and shutdown order is decided is the
 * list passed in (service.ts `ingestSteps`).
 */
export class Lifecycle {
  private readonly started: Step[] = [];

  constructor(private readonly log: Logger) {}

  /** Throws the first step's failure; call stop() then to undo the ones that started. */
  async start(steps: readonly Step[]): Promise<void> {
    for (const step of steps) {
      await step.start();
      this.started.push(step);
    }
  }

  async stop(): Promise<void> {
    while (this.started.length > 0) {
      const step = this.started.pop()!;
      if (!step.stop) continue;
      const stopping = Promise.resolve()
        .then(step.stop)
        .catch((error: Error) =>
          this.log.error({ step: step.name, err: error.message }, 'stop failed'),
        );
      if (!(await within(stopping, step.stopWithinMs)))
        this.log.error({ step: step.name, ms: step.stopWithinMs }, 'did not stop in time');
    }
  }
}
