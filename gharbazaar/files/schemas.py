"""The query string of a file link, loaded like every other request (a bad link is a 403, not a 400)."""
from marshmallow import fields

from ..validation import BaseSchema


class FileLink(BaseSchema):
    exp = fields.String(load_default=None,
                        metadata={"description": "Expiry (Unix seconds) from the upload's url."})
    sig = fields.String(load_default=None, metadata={"description": "Signature from the upload's url."})
