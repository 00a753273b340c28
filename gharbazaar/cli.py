"""Development commands: mint tokens like GharBazaar's auth service would."""
from datetime import timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from flask_jwt_extended import create_access_token

from .auth import ROLES

token_cli = AppGroup("token", help="Development tokens (refused in production).")


@token_cli.command("create")
@click.option("--user", "user_id", required=True, help="The userId claim.")
@click.option("--role", required=True, type=click.Choice(sorted(ROLES)))
@click.option("--email", default=None)
@click.option("--name", default=None)
@click.option("--ttl", default=3600, show_default=True, help="Lifetime in seconds.")
def create_token(user_id, role, email, name, ttl):
    """Print a signed token for local testing."""
    if current_app.config["APP_ENV"] == "production":
        raise click.ClickException("refusing to mint tokens in production")
    claims = {"userId": user_id, "role": role, "email": email or f"{user_id}@example.com"}
    if name:
        claims["name"] = name
    if current_app.config["JWT_ISSUER"]:
        claims["iss"] = current_app.config["JWT_ISSUER"]
    if current_app.config["JWT_AUDIENCE"]:
        claims["aud"] = current_app.config["JWT_AUDIENCE"]
    click.echo(create_access_token(identity=user_id, additional_claims=claims,
                                   expires_delta=timedelta(seconds=ttl)))


def init_app(app):
    """Configure token minting and register the commands."""
    from flask_jwt_extended import JWTManager
    app.config["JWT_SECRET_KEY"] = app.config["JWT_SECRET"]
    app.config["JWT_ALGORITHM"] = "HS256"
    JWTManager(app)
    app.cli.add_command(token_cli)
