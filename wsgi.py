"""Process entry point: `python wsgi.py` serves; `flask --app wsgi ...` runs commands."""
import os

SERVING = __name__ == "__main__"
ASYNC_MODE = os.environ.get("SOCKETIO_ASYNC_MODE") or "eventlet"

# The async mode must be known before anything imports Flask: eventlet has to patch the
# standard library first. It is the one setting read here rather than in config.py. Only the
# server patches: `flask --app wsgi <command>` has imported Flask already, and its commands
# need no green threads.
if SERVING and ASYNC_MODE == "eventlet":
    import warnings

    # eventlet is the design card's choice, made knowing it is in bugfix-only mode (STACK.md).
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

import logging  # noqa: E402
import sys  # noqa: E402

from gharbazaar import config, create_app  # noqa: E402
from gharbazaar.runtime import embedded_db  # noqa: E402

log = logging.getLogger("gharbazaar")


def build(serving):
    """Create the app; when serving in development without MONGODB_URI, start the embedded database.

    Only the server starts it: `flask --app wsgi token create` must work beside a running
    server, and two processes cannot open one embedded database.
    """
    config.load_env_file()
    settings = config.from_env()
    config.check(settings)
    if serving and settings["SOCKETIO_ASYNC_MODE"] != ASYNC_MODE:
        raise config.ConfigError(
            f"SOCKETIO_ASYNC_MODE is {settings['SOCKETIO_ASYNC_MODE']!r} in .env but {ASYNC_MODE!r} in the "
            "environment, which chose the green threads before .env was read: set it in the environment")
    overrides = {}
    if serving and settings["APP_ENV"] == "development" and not settings["MONGODB_URI"]:
        overrides = embedded_db.start_for_development(settings["EMBEDDED_DB_PATH"])
    if not serving:
        overrides["SOCKETIO_ASYNC_MODE"] = "threading"
    app = create_app(overrides)
    describe_database(app, embedded="EMBEDDED_DB_PROCESS" in overrides)
    return app


def describe_database(app, embedded):
    """Say plainly which database is in use (never its credentials)."""
    if embedded:
        where = (f"embedded SecantusDB (development default) at {app.config['MONGODB_URI']}, "
                 f"storing data in {app.config['EMBEDDED_DB_PATH']}/")
    elif not app.config["MONGODB_URI"]:
        where = "none (MONGODB_URI unset; the embedded database starts with `python wsgi.py`)"
    else:
        where = f"MongoDB from MONGODB_URI, database {app.config['MONGODB_DB']}"
    log.info(f"database: {where}")


try:
    app = build(serving=SERVING)
except (config.ConfigError, embedded_db.EmbeddedDatabaseError) as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(1)

if SERVING:
    from gharbazaar.runtime import server

    if app.config["APP_ENV"] != "production":
        from gharbazaar import db
        db.ensure_indexes(app)  # production creates them in the Procfile's release phase
    server.run(app)
