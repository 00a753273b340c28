"""Business hours: parse them from configuration and add working time to an instant."""
from datetime import datetime, time, timedelta, timezone

MAX_DAYS = 400  # a week with no working day is refused by parse_days; this only bounds the walk


def parse_hours(text):
    """Return (opens, closes) as times from "HH:MM-HH:MM", or None for round the clock."""
    if not text:
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        raise ValueError(f"business hours must look like 09:00-18:00 (got {text!r})") from None
    if start >= end:
        raise ValueError(f"business hours must open before they close (got {text!r})")
    return start, end


def parse_days(text):
    """Return the set of working weekdays (0 = Monday) from "0-4" or "0,1,2"."""
    days = set()
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            days.update(range(int(low), int(high or low) + 1))
    except ValueError:
        raise ValueError(f"business days must look like 0-4 or 0,2,4 (got {text!r})") from None
    if not days or not days <= set(range(7)):
        raise ValueError(f"business days are 0 (Monday) to 6 (got {text!r})")
    return days


def add_working_time(start, seconds, hours=None, days=None, zone=timezone.utc):
    """Return the instant `seconds` of working time after `start` (aware, UTC).

    Without hours every second counts; with them, only seconds inside the hours of working
    days in `zone` do, so a target set on Friday evening falls due on Monday.
    """
    if hours is None:
        return start + timedelta(seconds=seconds)
    days = days if days is not None else set(range(7))
    left = timedelta(seconds=seconds)
    at = start.astimezone(zone)
    for _ in range(MAX_DAYS):
        opens = datetime.combine(at.date(), hours[0], tzinfo=zone)
        closes = datetime.combine(at.date(), hours[1], tzinfo=zone)
        if at.weekday() in days and at < closes:
            at = max(at, opens)
            if at + left <= closes:
                return (at + left).astimezone(timezone.utc)
            left -= closes - at
        at = datetime.combine(at.date() + timedelta(days=1), time.min, tzinfo=zone)
    raise ValueError("no working time within a year")
