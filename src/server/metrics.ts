/**
 * The server's own numbers for GET /metrics, in the Prometheus text format (version 0.0.4):
 * requests by route and status, a latency histogram per route, the compute queue, and the model.
 */

/** Upper bounds of the latency buckets, in seconds. */
const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The route a path counts under: the API routes by name, everything else as the web app's files. */
export function routeOf(path: string): string {
  return ["/healthz", "/metrics", "/api/model", "/model.safetensors", "/api/predict", "/api/explain"].includes(path) ? path : path.startsWith("/api/") ? "/api/other" : "files";
}

export class Metrics {
  private readonly counts = new Map<string, number>();
  private readonly latency = new Map<string, { buckets: number[]; sum: number; count: number }>();

  record(route: string, status: number, seconds: number): void {
    const key = `route="${route}",status="${status}"`;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let h = this.latency.get(route);
    if (!h) {
      h = { buckets: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.latency.set(route, h);
    }
    BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) (h as { buckets: number[] }).buckets[i]++;
    });
    h.sum += seconds;
    h.count++;
  }

  /** The text of GET /metrics; `gauges` are read at the time of the request. */
  text(gauges: { busy: number; waiting: number; workers: number }, model: { name: string; labels: number; inputs: number }): string {
    const quote = (s: string): string => s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
    const lines = [
      "# HELP glassbox_requests_total Requests answered, by route and status.",
      "# TYPE glassbox_requests_total counter",
      ...[...this.counts].map(([labels, n]) => `glassbox_requests_total{${labels}} ${n}`),
      "# HELP glassbox_request_duration_seconds Time to answer a request, by route.",
      "# TYPE glassbox_request_duration_seconds histogram",
    ];
    for (const [route, h] of this.latency) {
      BUCKETS.forEach((bound, i) => lines.push(`glassbox_request_duration_seconds_bucket{route="${route}",le="${bound}"} ${h.buckets[i]}`));
      lines.push(`glassbox_request_duration_seconds_bucket{route="${route}",le="+Inf"} ${h.count}`);
      lines.push(`glassbox_request_duration_seconds_sum{route="${route}"} ${h.sum}`);
      lines.push(`glassbox_request_duration_seconds_count{route="${route}"} ${h.count}`);
    }
    lines.push(
      "# HELP glassbox_compute_busy Predictions and explanations computing now.",
      "# TYPE glassbox_compute_busy gauge",
      `glassbox_compute_busy ${gauges.busy}`,
      "# HELP glassbox_compute_queue_depth Requests waiting for a compute worker.",
      "# TYPE glassbox_compute_queue_depth gauge",
      `glassbox_compute_queue_depth ${gauges.waiting}`,
      "# HELP glassbox_compute_workers Compute worker threads (0: on the event loop).",
      "# TYPE glassbox_compute_workers gauge",
      `glassbox_compute_workers ${gauges.workers}`,
      "# HELP glassbox_model_info The model being served.",
      "# TYPE glassbox_model_info gauge",
      `glassbox_model_info{name="${quote(model.name)}",labels="${model.labels}",inputs="${model.inputs}"} 1`,
    );
    return `${lines.join("\n")}\n`;
  }
}
