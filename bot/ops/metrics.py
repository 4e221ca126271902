"""Operations, metrics: the Prometheus series of one process, on a registry the composition root creates.

Nothing here is module-global: `Metrics(registry)` owns its collectors, the web app serves `registry` at
`{prefix}/metrics`, and the parts that count get the bound methods (`observe`, `error`, `model_fallback`).
Labels are bounded: channel names, route families (the intent's first word), error stages, fallback reasons;
never user ids or text.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

Probe = Callable[[], Awaitable[int]]  # a database count read when the metrics are scraped


class Metrics:
    """Counters, histograms and gauges of the service; `render()` is the Prometheus text exposition."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.messages = Counter(
            "anning_messages", "Messages answered, by channel and route", ["channel", "route"], registry=registry
        )
        self.latency = Histogram(
            "anning_answer_seconds",
            "Time the engine took to answer one message, by channel and route",
            ["channel", "route"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.errors = Counter("anning_errors", "Failures, by where they happened", ["stage"], registry=registry)
        self.fallbacks = Counter(
            "anning_model_fallbacks",
            "Language-model calls that fell back to the offline path, by reason",
            ["reason"],
            registry=registry,
        )
        self.queue_depth = Gauge(
            "anning_queue_depth", "Work waiting or running, by queue", ["queue"], registry=registry
        )
        self.held_replies = Gauge(
            "anning_held_replies", "Replies held in the outbox for a person's next message", registry=registry
        )
        self.unfinished = Gauge(
            "anning_inbox_unfinished", "Messages recorded and not yet fully answered", registry=registry
        )
        self.ready = Gauge(
            "anning_ready", "1 when the database, the index and the channels are ready", registry=registry
        )
        self._probes: list[tuple[Gauge, Probe]] = []

    # -- what the parts call ------------------------------------------------------------------------------------

    def observe(self, channel: str, route: str, seconds: float, failed: bool) -> None:
        """One message answered (or failed) by the engine."""
        self.messages.labels(channel, route).inc()
        self.latency.labels(channel, route).observe(seconds)
        if failed:
            self.errors.labels("engine").inc()

    def error(self, stage: str) -> None:
        """One failure at `stage` (a bounded name such as "engine", "send", "index")."""
        self.errors.labels(stage).inc()

    def model_fallback(self, reason: str) -> None:
        """The language model was not used for one answer (reason: "timeout", "error", "invalid", ...)."""
        self.fallbacks.labels(reason).inc()

    # -- what is read at scrape time ----------------------------------------------------------------------------

    def track_queue(self, name: str, depth: Callable[[], int]) -> None:
        """Report `depth()` as the queue's depth whenever the metrics are read."""
        self.queue_depth.labels(name).set_function(lambda: float(depth()))

    def track_count(self, gauge: Gauge, probe: Probe) -> None:
        """Set `gauge` from a database count before each scrape."""
        self._probes.append((gauge, probe))

    async def render(self) -> bytes:
        """The exposition text, with the database counts read now (a failed read counts as an error)."""
        for gauge, probe in self._probes:
            try:
                gauge.set(await probe())
            except Exception:  # the database is down: the rest of the metrics still matter
                self.error("metrics")
        return generate_latest(self.registry)
