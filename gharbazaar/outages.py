"""What sockets are told after an outage (`sync:required`): from when to resync."""
from datetime import datetime, timezone

from .models import iso

SYNC_REQUIRED = "sync:required"
# Clients resync from this long before the last sign of life: a change is stamped before its
# database writes (each up to MONGODB_TIMEOUT_MS) and published after them.
SINCE_MARGIN_S = 10


def since_margin(config):
    """Return how long before its last sign of trouble a client resyncs from (seconds)."""
    return max(SINCE_MARGIN_S, 3 * config["MONGODB_TIMEOUT_MS"] / 1000)


def sync_notice(reason, last_good, margin_s):
    """Return the `sync:required` payload: resync from `margin_s` before `last_good` (epoch seconds)."""
    return {"reason": reason, "since": iso(datetime.fromtimestamp(last_good - margin_s, tz=timezone.utc))}
