"""The scenarios of each profile. A scenario is one or more parts run together against one server.

Part fields: kind (a loadgen.js scenario), params (its config), gens (generator processes the
part is split over), seed (what run.py writes into the database first), op (what one operation is).
Scenario fields: env (the backend's own settings for it, applied after the lifted limits),
phases (names of consecutive windows reported on rows of their own, see `flood`).
"""
from .servers import SOCKET_LIMITS

KIB = 1024


def part(kind, op, gens=1, seed=None, label=None, **params):
    return {"kind": kind, "op": op, "gens": gens, "seed": seed, "label": label or kind, "params": params}


def scenario(sid, title, *parts, processes=1, targets=("app", "ref"), env=None, phases=None):
    """targets: "app" is the backend, "ref" the Node reference (the echo server for the loopback)."""
    return {"id": sid, "title": title, "parts": list(parts), "processes": processes, "targets": targets,
            "env": env or {}, "phases": phases}


def standard(connects, chats, fanouts, redis_chats, seeds, uploads, duration_ms, gens_per=1000):
    """Every scenario of the issue, at the given sizes."""
    g = lambda clients: max(1, -(-clients // gens_per))  # noqa: E731 (generator processes for N sockets)
    out = [scenario("loopback", "Loopback ceiling: raw websocket echo, 10 clients",
                    part("echo", "echo", clients=10, durationMs=duration_ms), targets=("ref",))]
    out += [scenario(f"connect-{n}", f"Connect storm: {n:,} authenticated sockets at once",
                     part("connect", "connection", gens=g(n), count=n, holdMs=1500)) for n in connects]
    out += [scenario(f"chat-{n}",
                     f"1:1 chat, {n:,} concurrent conversations (a sends, b receives new_message)",
                     part("chat", "message", gens=g(2 * n), conversations=n, durationMs=duration_ms))
            for n in chats]
    out += [scenario(f"fanout-{n}",
                     f"Room fan-out to {n:,} members (one sender, next message when all have it)",
                     part("fanout", "delivery", seed="group", members=n, durationMs=duration_ms))
            for n in fanouts]
    out.append(scenario("tickets-50", "New ticket (REST) broadcast as ticket:created to 50 employees",
                        part("tickets", "delivery", employees=50, customers=2, durationMs=duration_ms)))
    rest = dict(method="GET", concurrency=4, durationMs=duration_ms)
    out.append(scenario("rest-conversations",
                        f"GET conversation list (50) of a user with {seeds['conversations']:,} conversations",
                        part("rest", "request", seed="conversations", **rest)))
    out.append(scenario("rest-messages-first",
                        f"GET the newest message page (50) of a conversation of {seeds['messages']:,}"
                        " messages",
                        part("rest", "request", seed="history-first", **rest)))
    out.append(scenario("rest-messages-deep",
                        f"GET a message page (50, before=) 90% deep in {seeds['messages']:,} messages",
                        part("rest", "request", seed="history", **rest)))
    out.append(scenario("rest-messages-skip",
                        f"GET the same deep page with skip= in {seeds['messages']:,} messages",
                        part("rest", "request", seed="history-skip", **rest)))
    out.append(scenario("rest-upload-5mb", "POST /chat/upload of a 5 MB PDF", part(
        "rest", "upload", seed="upload", method="POST", concurrency=1, uploadBytes=5 * KIB * KIB,
        maxRequests=uploads, durationMs=duration_ms)))
    out += [scenario(f"chat-redis-{n}", f"1:1 chat, {n:,} conversations, two processes on one Redis"
                     " (a on process 1, b on process 2)",
                     part("chat", "message", gens=g(2 * n), conversations=n, durationMs=duration_ms),
                     processes=2)
            for n in redis_chats]
    return out


def marketplace_day(sid="marketplace-day", users=5000, employees=50, duration_ms=300000, processes=1,
                    message_every_s=30, tickets_per_s=1, gens_per=1000, heartbeat_s=30):
    """The issue's pass/fail mixed load: `users` connected (`employees` of them staff, in the
    employee room), every other user in a 1:1 conversation sending a message every
    `message_every_s` seconds (typing before it; the receiver marks it read; each socket sends
    `presence:heartbeat` every `heartbeat_s`, as the frontend does), and new tickets at
    `tickets_per_s` broadcast to the staff. Warm-up: the first fifth of the window (memory)."""
    pairs = (users - employees) // 2
    where = "one process" if processes == 1 else f"{processes} processes on one Redis"
    title = (f"Marketplace day, {where}: {users:,} users ({employees} employees), a message per user every "
             f"{message_every_s} s (~{2 * pairs / message_every_s:,.0f} msg/s) with typing, reading and "
             f"heartbeats, {tickets_per_s} new ticket/s, {duration_ms / 1000:,.0f} s")
    return scenario(sid, title,
                    part("chat", "message", gens=max(1, -(-2 * pairs // gens_per)), label="chat messages",
                         conversations=pairs, rateHz=1 / message_every_s, duplex=True, activity=True,
                         heartbeatS=heartbeat_s, durationMs=duration_ms),
                    part("tickets", "delivery", label="new tickets", employees=employees, customers=1,
                         rateHz=tickets_per_s, durationMs=duration_ms),
                    processes=processes, targets=("app",))


def flood(pairs, flooders, phase_ms, rate_hz, event="send_message", sid="flood", flood_hz=None):
    """Bystanders in paced 1:1 chat (a sends to b at rate_hz), for phase_ms alone (baseline), then
    phase_ms more while `flooders` sockets (distinct users, one generator of their own) emit `event`
    as fast as their sockets take it (or at flood_hz each), without acks. The backend runs with the
    production socket limits (the per-user message limits stay lifted) and should cut every flooder
    off; `typing` at a human flood_hz (a held key) should draw neither a refusal nor a cut-off.
    Backend only: the Node reference has no limits."""
    pace = f"at {flood_hz:g} events/s each" if flood_hz else "as fast as they can"
    title = (f"Flood: {pairs} bystander 1:1 chats at {rate_hz:g} msg/s each ({pairs * rate_hz:g} msg/s), "
             f"{phase_ms / 1000:g} s alone, then {phase_ms / 1000:g} s while {flooders} sockets send "
             f"`{event}` {pace} (production socket limits: {SOCKET_LIMITS['RATE_LIMIT_SOCKET_EVENTS']} per "
             f"socket, cut off at {SOCKET_LIMITS['RATE_LIMIT_SOCKET_FLOOD']} refused)")
    phases = ["baseline", "during flood"]
    pace_params = {"rateHz": flood_hz} if flood_hz else {}
    return scenario(sid, title,
                    part("chat", "message", label="bystanders", conversations=pairs, rateHz=rate_hz,
                         phases=phases, phaseMs=phase_ms, durationMs=len(phases) * phase_ms),
                    part("flood", "event", label="flooders", flooders=flooders, event=event, phase=phases[1],
                         delayMs=phase_ms, durationMs=phase_ms, **pace_params),
                    targets=("app",), env=SOCKET_LIMITS, phases=phases)


SMOKE_SEEDS = {"conversations": 1000, "messages": 10000}
FULL_SEEDS = {"conversations": 10000, "messages": 100000}
# The same mix as the marketplace day at a size to try it (its targets report "smaller scale").
SMALL_DAY = dict(users=100, employees=10, duration_ms=30000)

PROFILES = {
    # At most 100 clients and a few seconds per scenario: checks the harness, numbers are indicative.
    "smoke": lambda: (standard([100], [2, 50], [10, 99], [2, 50], SMOKE_SEEDS, 3, 4000)
                      + [marketplace_day("marketplace-day-small", users=40, employees=4, duration_ms=10000),
                         flood(10, 5, 5000, 2), flood(10, 5, 5000, 2, "typing", "flood-typing"),
                         flood(10, 5, 5000, 2, "typing", "typing-held-key", flood_hz=50)],
                      SMOKE_SEEDS),
    # The sizes scaled to finish in a few minutes on a 2-core machine.
    "moderate": lambda: (standard([1000], [2, 100, 500], [10, 100, 1000], [100], SMOKE_SEEDS, 5, 8000)
                         + [flood(50, 20, 8000, 0.5)], SMOKE_SEEDS),
    # The sizes.
    "full": lambda: (standard([1000, 5000], [2, 100, 1000], [10, 100, 1000], [100, 1000], FULL_SEEDS, 20,
                              20000) + [flood(250, 50, 20000, 0.1)], FULL_SEEDS),
    # The marketplace day: 5,000 users (50 employees), 1 message per 30 s per user, 1 ticket/s,
    # 300 s, on one process, then on two processes sharing one Redis.
    "marketplace-day": lambda: ([marketplace_day(), marketplace_day("marketplace-day-redis", processes=2)],
                                SMOKE_SEEDS),
    "marketplace-day-smoke": lambda: ([marketplace_day("marketplace-day-small", **SMALL_DAY),
                                       marketplace_day("marketplace-day-redis-small", processes=2,
                                                       **SMALL_DAY)],
                                      SMOKE_SEEDS),
}
