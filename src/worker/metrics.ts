// Prometheus metrics of one worker, served on WORKER_PORT/metrics.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    conversions: new Counter({ name: 'conversions_total', help: 'Finished conversions by target format and outcome', labelNames: ['format', 'outcome'], registers: [registry] }),
    duration: new Histogram({
      name: 'conversion_duration_seconds',
      help: 'Wall time of one conversion, download to upload',
      labelNames: ['format'],
      buckets: [0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    inFlight: new Gauge({ name: 'conversions_in_flight', help: 'Conversions running now', registers: [registry] }),
    receiveErrors: new Counter({ name: 'queue_receive_errors_total', help: 'Failed receives from the queue', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
