"""The `sync` request, shared by REST and Socket.IO."""
from datetime import timezone

from marshmallow import fields, validate

from ..validation import BaseSchema


class SyncRequest(BaseSchema):
    conversations = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                                values=fields.Integer(strict=True, validate=validate.Range(min=0)),
                                load_default=dict, validate=validate.Length(max=500))
    since = fields.AwareDateTime(default_timezone=timezone.utc, load_default=None)
