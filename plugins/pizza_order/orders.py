"""Where a pizza order goes: a JSON-lines file (tests, offline use) or an HTTP(S) endpoint that takes a JSON POST."""

from __future__ import annotations

import json
import logging
import threading
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
_FILE_LOCK = threading.Lock()


class OrderError(Exception):
    """The order could not be delivered; the message names the endpoint and the reason."""


@dataclass(slots=True)
class PizzaOrder:
    """One order as it is sent: what, for whom, from which satellite and conversation."""

    kind: str
    conversation_id: str | None = None
    satellite_id: str = ""
    speaker_name: str = ""
    ordered_at: float = 0.0
    utterances: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        """One JSON object on one line."""
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))


def send_order(order: PizzaOrder, endpoint: str, base_dir: Path, timeout_s: float = 5.0) -> str:
    """Deliver `order`; returns where it went. http(s):// URLs get a JSON POST, anything else is a file path."""
    if endpoint.startswith(("http://", "https://")):
        request = urllib.request.Request(
            endpoint, data=order.to_json().encode("utf-8"), headers={"Content-Type": "application/json"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout_s) as response:
                if not 200 <= response.status < 300:
                    raise OrderError(f"pizza endpoint {endpoint} answered HTTP {response.status}")
        except (urllib.error.URLError, OSError) as exc:
            raise OrderError(f"pizza endpoint {endpoint} not reachable: {exc}") from exc
        return endpoint
    path = Path(endpoint)
    if not path.is_absolute():
        path = base_dir / path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _FILE_LOCK, path.open("a", encoding="utf-8") as file:
            file.write(order.to_json() + "\n")
    except OSError as exc:
        raise OrderError(f"cannot write the order to {path}: {exc}") from exc
    return str(path)


def read_orders(path: Path) -> list[dict[str, Any]]:
    """All orders in a JSON-lines file (for tests and the TUI)."""
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
