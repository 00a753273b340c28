"""GET /api/v1/files/<id>: serve a stored file by signed link or to an authorized user."""
from urllib.parse import quote

from flask import Response, current_app, g, request
from werkzeug.wsgi import FileWrapper

from ..apidoc.openapi import OPTIONAL_BEARER, Blueprint, errors
from ..auth import authenticate_request, optional_actor
from ..validation import query_args
from ..extensions import limiter, talisman
from . import schemas, service, sniff

# Public on purpose: signed links work without headers (<img src>); service.open_for checks
# the signature or the caller's right to the file's conversation or ticket.
bp = Blueprint("files", __name__, url_prefix="/api/v1/files")  # nosemgrep: scan.blueprint-without-login
CHUNK_BYTES = 255 * 1024  # GridFS's chunk size: one database read per piece written


def _signed():
    """Return True when this request carries a valid signed link (checked once per request)."""
    if "signed_link" not in g:
        args = query_args()  # never request.args: a raw byte that is not UTF-8 made it raise (no limit)
        exp, sig = args.get("exp"), args.get("sig")
        g.signed_link = service.valid_signature(request.view_args["file_id"], exp, sig)
    return g.signed_link


def _link_key():
    # An <img> sends no token, so a signed link's loads would share its client address's anonymous
    # allowance with everyone behind the same NAT (offices, mobile carriers): the link already
    # proves access, so they are counted per link and address instead (a token's downloads count
    # under the REST limit like any request).
    return f"link:{request.view_args['file_id']}:{request.remote_addr}"


def _link_limit():
    return current_app.config["RATE_LIMIT_FILE_LINKS"]


@bp.get("/<file_id>")
@limiter.limit(_link_limit, key_func=_link_key, exempt_when=lambda: not _signed())
@talisman(content_security_policy="default-src 'none'; sandbox")
@bp.arguments(schemas.FileLink, location="query")
@bp.response(200, {"type": "string", "format": "binary"}, content_type="*/*")
@bp.doc(security=OPTIONAL_BEARER)
@errors(bp, 401, 403)
def download(link, file_id):
    """Download a stored file by its signed link (exp, sig) or as a participant.

    Query: `exp` and `sig` from the upload answer's url; without them, send a token.
    """
    actor = optional_actor()
    if actor is None and not (link["exp"] or link["sig"]):
        authenticate_request()  # no link and no valid token: the 401 says which (missing, invalid, expired)
    meta, content = service.open_for(actor, file_id, link["exp"], link["sig"])
    inline = meta.get("fileType") == sniff.IMAGE
    name = meta.get("fileName") or "file"
    disposition = "inline" if inline else "attachment"
    # Streamed chunk by chunk (never the whole file in memory); Range requests (a PDF viewer, a
    # resumed download) and revalidation (a stored file never changes: its id is its ETag) served.
    response = Response(FileWrapper(content, CHUNK_BYTES), direct_passthrough=True,
                        mimetype=meta.get("mimeType") or "application/octet-stream")
    response.content_length = content.length
    response.set_etag(file_id)
    response.last_modified = content.upload_date
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(name)}"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    response.headers["Cache-Control"] = "private, max-age=3600"
    asked = request.range
    if asked is None or asked.units != "bytes" or len(asked.ranges) != 1:
        request.environ.pop("HTTP_RANGE", None)  # an invalid or multiple range: the whole file (RFC 9110)
    elif asked.ranges[0][0] < -content.length:  # werkzeug answers 416 to a suffix longer than the file
        request.environ["HTTP_RANGE"] = "bytes=0-"  # RFC 9110 14.1.3: the whole file is the range
    return response.make_conditional(request, accept_ranges=True, complete_length=content.length)


download.counted_by_its_own_limit = _signed  # a signed link's loads: per link and address (above)
