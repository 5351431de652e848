"""Alert sinks: where storm open, escalation and close alerts go.

Storage records each alert once (`Storage.save_storms` returns only new ones); the
sinks here deliver them. `log` writes a WARNING line to stderr, `file` appends one JSON
line per alert, `webhook` POSTs the same JSON (the only HTTP request outside sources/).
A failing sink is logged and does not stop the others.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from monitor.config import SHANGHAI, AlertSettings
from monitor.storage import AlertEvent

log = logging.getLogger(__name__)


class AlertSink(Protocol):
    """Something that delivers an alert."""

    def send(self, event: AlertEvent) -> None:
        """Deliver one alert or raise."""


def alert_message(event: AlertEvent) -> str:
    """One human line for an alert, times in Beijing time."""
    storm = event.storm
    when = event.data_time.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
    concerns = ", ".join(f"{name} {count}" for name, count in storm.concerns.items())
    if event.kind == "open":
        return f"storm opened for {event.app} at {when} (Beijing, data time): {storm.posts} posts; {concerns}"
    if event.kind == "escalate":
        return f"storm for {event.app} escalated at {when}: {event.concern} joined"
    return f"storm for {event.app} closed at {when}: {storm.posts} posts, peak {storm.peak_hourly}/h"


def alert_record(event: AlertEvent) -> dict[str, Any]:
    """The JSON form of an alert (file and webhook sinks)."""
    return {
        "storm_id": event.storm_id,
        "app": event.app,
        "kind": event.kind,
        "concern": event.concern,
        "data_time": event.data_time.isoformat(),
        "message": alert_message(event),
    }


class LogSink:
    """Logs each alert as a WARNING."""

    def send(self, event: AlertEvent) -> None:
        """Log the alert line."""
        log.warning("ALERT %s", alert_message(event))


class FileSink:
    """Appends each alert as one JSON line to a file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, event: AlertEvent) -> None:
        """Append the alert record."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(alert_record(event), ensure_ascii=False) + "\n")


class WebhookSink:
    """POSTs each alert record as JSON to a URL."""

    def __init__(self, url: str, timeout: float = 10.0) -> None:
        self.url = url
        self.timeout = timeout

    def send(self, event: AlertEvent) -> None:
        """POST the alert record; raise on a non-2xx answer."""
        import httpx

        response = httpx.post(self.url, json=alert_record(event), timeout=self.timeout)
        response.raise_for_status()


def make_sinks(settings: Sequence[AlertSettings]) -> list[AlertSink]:
    """Sinks for the configured `[[alerts]]` tables."""
    sinks: list[AlertSink] = []
    for alert in settings:
        if alert.kind == "log":
            sinks.append(LogSink())
        elif alert.kind == "file":
            sinks.append(FileSink(Path(alert.path)))
        else:
            sinks.append(WebhookSink(alert.url))
    return sinks


def send_alerts(events: Sequence[AlertEvent], sinks: Sequence[AlertSink]) -> int:
    """Deliver every event to every sink; return how many deliveries failed."""
    failures = 0
    for event in events:
        for sink in sinks:
            try:
                sink.send(event)
            except Exception as exc:  # noqa: BLE001 - one sink must not stop the others
                failures += 1
                log.error("alert sink %s failed: %s", type(sink).__name__, exc)
    return failures
