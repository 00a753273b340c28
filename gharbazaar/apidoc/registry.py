"""`@documented`: attach what the OpenAPI document says about a view, without changing the view."""
from dataclasses import dataclass, field

ATTRIBUTE = "__apidoc__"


@dataclass(frozen=True)
class Operation:
    """What one view takes and answers; read by spec.py, never by the view itself."""

    summary: str
    body: type | None = None
    query: type | None = None
    form: type | None = None
    files: tuple = ()
    response: type | dict | None = None
    status: tuple = (200,)
    errors: tuple = ()
    auth: bool = True
    optional_auth: bool = False
    enveloped: bool = True
    top_level: dict = field(default_factory=dict)
    other: dict = field(default_factory=dict)
    rate_limited: bool = True
    media_type: str = "application/json"
    tags: tuple = ()
    description: str = ""

    @property
    def schemas(self):
        """Return the request schema classes the view loads (body, query, form)."""
        return tuple(s for s in (self.body, self.query, self.form) if s is not None)


def documented(summary, *, status=200, tags=(), errors=(), files=(), **details):
    """Attach an Operation to the view function and return the function unchanged.

    `response` is the schema of `data` in the success envelope (or of the whole body with
    `enveloped=False`); `top_level` names extra envelope fields ({"message": "string"});
    `errors` lists the error statuses beyond the ones every operation can answer.
    """
    statuses = tuple(status) if isinstance(status, (tuple, list)) else (status,)

    def attach(view):
        setattr(view, ATTRIBUTE, Operation(summary=summary, status=statuses, tags=tuple(tags),
                                           errors=tuple(errors), files=tuple(files), **details))
        return view
    return attach


def operation_of(view):
    """Return the view's Operation, or None when it is not documented."""
    return getattr(view, ATTRIBUTE, None)
