"""The development token command."""
from gharbazaar.auth import verify_token


def test_token_create_prints_a_token_the_backend_accepts(app):
    result = app.test_cli_runner().invoke(args=["token", "create", "--user", "u1", "--role", "seller",
                                                "--name", "Ravi", "--ttl", "120"])
    assert result.exit_code == 0
    actor = verify_token(result.output.strip(), app.config)
    assert (actor.id, actor.role, actor.name, actor.email) == ("u1", "seller", "Ravi", "u1@example.com")


def test_token_create_carries_issuer_and_audience_when_configured(make_app):
    app = make_app(JWT_ISSUER="gharbazaar-backend", JWT_AUDIENCE="gharbazaar-frontend")
    result = app.test_cli_runner().invoke(args=["token", "create", "--user", "u1", "--role", "buyer"])
    assert verify_token(result.output.strip(), app.config).id == "u1"


def test_token_create_rejects_unknown_roles(app):
    result = app.test_cli_runner().invoke(args=["token", "create", "--user", "u1", "--role", "root"])
    assert result.exit_code != 0


def test_token_create_is_refused_in_production(make_app):
    app = make_app(APP_ENV="production", JWT_SECRET="p" * 40)
    result = app.test_cli_runner().invoke(args=["token", "create", "--user", "u1", "--role", "buyer"])
    assert result.exit_code != 0 and "production" in result.output
