"""Shape stored documents for clients: `id` and `_id` strings, ISO 8601 UTC dates."""
from datetime import datetime, timezone

from bson import ObjectId


def iso(value):
    """Return a datetime as ISO 8601 UTC with milliseconds and a trailing Z."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def utcnow():
    """Return the current time, timezone-aware UTC, at millisecond precision (as stored)."""
    now = datetime.now(timezone.utc)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def plain(value):
    """Convert BSON values (ObjectId, datetime, nested) to JSON-ready ones."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(item) for item in value]
    return value


def public(doc):
    """Return a stored document as clients see it, with both `id` and `_id`."""
    if doc is None:
        return None
    out = plain(doc)
    if "_id" in out:
        out["id"] = out["_id"]
    return out
