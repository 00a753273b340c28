"""Process entry point: `python wsgi.py` serves; `flask --app wsgi ...` runs commands."""
import os

# The async mode must be known before anything imports Flask: eventlet has to patch the
# standard library first. It is the one setting read here rather than in config.py.
if (os.environ.get("SOCKETIO_ASYNC_MODE") or "eventlet") == "eventlet":
    import warnings

    # eventlet is the design card's choice, made knowing it is in bugfix-only mode (STACK.md).
    warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")
    import eventlet

    eventlet.monkey_patch()

import logging  # noqa: E402
import sys  # noqa: E402

from gharbazaar import config, create_app, embedded_db  # noqa: E402

log = logging.getLogger("gharbazaar")


def build():
    """Create the app; in development without MONGODB_URI, start the embedded database."""
    config.load_env_file()
    settings = config.from_env()
    config.check(settings)
    overrides = {}
    if settings["APP_ENV"] == "development" and not settings["MONGODB_URI"]:
        overrides = embedded_db.start_for_development(settings["EMBEDDED_DB_PATH"])
    app = create_app(overrides)
    describe_database(app, embedded=bool(overrides))
    return app


def describe_database(app, embedded):
    """Say plainly which database is in use (never its credentials)."""
    if embedded:
        where = (f"embedded SecantusDB (development default) at {app.config['MONGODB_URI']}, "
                 f"storing data in {app.config['EMBEDDED_DB_PATH']}/")
    else:
        where = f"MongoDB from MONGODB_URI, database {app.config['MONGODB_DB']}"
    log.info(f"database: {where}")


try:
    app = build()
except (config.ConfigError, embedded_db.EmbeddedDatabaseError) as exc:
    print(f"error: {exc}", file=sys.stderr)
    sys.exit(1)

if __name__ == "__main__":
    from gharbazaar import server

    if app.config["APP_ENV"] != "production":
        from gharbazaar import db
        db.ensure_indexes(app)  # production creates them in the Procfile's release phase
    server.run(app)
