/**
 * Prometheus metrics with prom-client (the standard Node client): messages by channel and
 * intent, reply latency, errors, and the hand-off outbox depth. No labels carry personal
 * data or message text. Served at /metrics by the web app and the webhook server.
 *
 * @example
 * const metrics = createMetrics();
 * metrics.observeReply("telegram", "qa", 0.004);
 * await metrics.registry.metrics(); // text exposition format
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  registry: Registry;
  observeReply(channel: string, intent: string, seconds: number): void;
  observeError(channel: string): void;
  /** LLM mode: each turn's outcome (answer, handover, fallback) and the fallback's reason. */
  observeLlm(outcome: string, reason: string): void;
  /** Reads the outbox depth at scrape time. */
  trackOutbox(pending: () => Promise<number>): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const messages = new Counter({
    name: "xkld_messages_total",
    help: "Messages answered, by channel and intent",
    labelNames: ["channel", "intent"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "xkld_reply_seconds",
    help: "Time to compose a reply in the engine",
    labelNames: ["channel"] as const,
    buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const errors = new Counter({ name: "xkld_errors_total", help: "Messages that failed", labelNames: ["channel"] as const, registers: [registry] });
  const llmTurns = new Counter({
    name: "xkld_llm_turns_total",
    help: "LLM-mode turns by outcome (answer, handover, fallback) and fallback reason",
    labelNames: ["outcome", "reason"] as const,
    registers: [registry],
  });
  let readOutbox: (() => Promise<number>) | undefined;
  new Gauge({
    name: "xkld_outbox_pending",
    help: "Hand-offs waiting for delivery to an office",
    registers: [registry],
    async collect() {
      if (readOutbox) this.set(await readOutbox());
    },
  });
  return {
    registry,
    observeReply(channel, intent, seconds) {
      messages.inc({ channel, intent });
      latency.observe({ channel }, seconds);
    },
    observeError(channel) {
      errors.inc({ channel });
    },
    observeLlm(outcome, reason) {
      llmTurns.inc({ outcome, reason });
    },
    trackOutbox(pending) {
      readOutbox = pending;
    },
  };
}
