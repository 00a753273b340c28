"""The `sync` request, shared by REST and Socket.IO."""
from marshmallow import fields, validate

from ..validation import BaseSchema, Instant, Integer


class SyncRequest(BaseSchema):
    conversations = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                                values=Integer(strict=True, validate=validate.Range(min=0)),
                                load_default=dict, validate=validate.Length(max=500))
    since = Instant(load_default=None)
