"""Deliberately wrong code: `make scan` checks that every rule still fires on it."""
from flask import Blueprint, request

from . import repository  # noqa: F401

bp = Blueprint("bad", __name__)


def handler(db):
    body = request.get_json()
    return db.messages.find_one({"_id": request.args.get("id")}), body
