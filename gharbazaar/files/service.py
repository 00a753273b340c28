"""Uploads: size and content checks, GridFS storage, signed expiring links, read access.

Features own who may touch their files: each registers, in its init_app, a scope ("chat",
"ticket") with `can_read(actor, scope_id) -> bool` and `shown(actor, scope_id, file_id) -> bool`;
uploads are authorized by the feature's service before it calls `store()`.
"""
import base64
import hashlib
import hmac
import re
import time
import unicodedata
from urllib.parse import urlsplit

from flask import current_app, request, url_for

from .. import throttle
from ..errors import Forbidden, NotFound, Unauthorized, UnsupportedMediaType, ValidationFailed, file_too_large
from . import repository, sniff

INVALID_TYPE_TEXT = "Invalid file type. Only images and documents are allowed."
ALLOWANCE_TEXT = "Upload allowance used up. Please try again later."
_EXTENSIONS = {"jpg": ("jpg", "jpeg"), "txt": ("txt", "csv", "log", "md"), "doc": ("doc", "dot"),
               "xls": ("xls", "xlt")}
_FILE_PATH = re.compile(r"/api/v1/files/([0-9a-f]{24})$")


def register_scope(app, scope, can_read, shown=None):
    """Let a feature decide who may read the files stored under its scope.

    can_read(actor, scope_id) says who may see the conversation or ticket at all; of those, the
    uploader reads their own file, and the others only when shown(actor, scope_id, file_id) says a
    message carries it (without shown, nobody else).
    """
    app.extensions.setdefault("gharbazaar.file_scopes", {})[scope] = (can_read, shown)


def safe_name(name, extension):
    """Return a display name with no path or control characters, ending as its content is."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '"<>|:*?')
    name = name.strip(" .")[:200] or "file"
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix.lower() in _EXTENSIONS.get(extension, (extension,)):
        return name
    # A name that lies about the content would mislead whoever downloads it.
    return f"{stem if dot else name}.{extension}"


def _read_limited(stream, limit):
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise file_too_large()
    return data


def store(actor, upload, scope, scope_id):
    """Validate and store an uploaded werkzeug FileStorage; return its public description."""
    if upload is None or not getattr(upload, "filename", None) and not getattr(upload, "stream", None):
        raise ValidationFailed("No file uploaded", details=[{"field": "file", "message": "Required."}])
    throttle.hit(throttle.UPLOADS, actor.id, "Too many uploads. Please try again later.")
    data = _read_limited(upload.stream, current_app.config["MAX_UPLOAD_MB"] * 1024 * 1024)
    if not data.removeprefix(sniff.UTF8_BOM):  # a byte-order mark alone is an empty text file
        raise ValidationFailed("The file is empty", details=[{"field": "file", "message": "Empty."}])
    kind = sniff.identify(data, upload.filename or "")
    if kind is None:
        raise UnsupportedMediaType(INVALID_TYPE_TEXT)
    file_type, mime, extension = kind
    megabytes = -(-len(data) // (1024 * 1024))  # whole megabytes, rounded up
    throttle.check(throttle.UPLOAD_MB, actor.id, ALLOWANCE_TEXT, megabytes)
    name = safe_name(upload.filename, extension)
    file_id = repository.save(data, name, mime, {
        "scope": scope, "scopeId": str(scope_id), "uploadedBy": actor.id,
        "fileName": name, "fileSize": len(data), "fileType": file_type, "mimeType": mime},
        budget_s=current_app.config["UPLOAD_DB_TIMEOUT_S"])
    # Spent once stored: a save the database failed stored nothing. Uploads checked at the same
    # time may together go past the allowance, by at most the few a user may have in flight.
    throttle.spend(throttle.UPLOAD_MB, actor.id, megabytes)
    return describe(str(file_id), name, len(data), file_type, mime)


def describe(file_id, name, size, file_type, mime):
    """Return the upload answer's fields for a stored file (fresh signed links)."""
    url = signed_url(file_id)
    return {"fileId": file_id, "url": url, "thumbnailUrl": url if file_type == sniff.IMAGE else None,
            "fileName": name, "fileSize": size, "fileType": file_type, "mimeType": mime}


def _signature(file_id, expires):
    key = hashlib.sha256(b"gharbazaar-file-links:" + current_app.config["JWT_SECRET"].encode()).digest()
    digest = hmac.new(key, f"{file_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def signed_url(file_id):
    """Return an absolute link to the file that works without headers until it expires."""
    ttl = current_app.config["FILE_LINK_TTL_S"]
    # Rounded to the hour so that one file gets one URL for a while: browsers can cache it.
    expires = (int(time.time()) // 3600 + 1) * 3600 + ttl
    path = url_for("files.download", file_id=file_id, exp=expires, sig=_signature(file_id, expires))
    base = current_app.config.get("PUBLIC_URL") or (request.host_url if request else "")
    return base.rstrip("/") + path


def valid_signature(file_id, expires, signature):
    """Return True when the link's signature matches and it has not expired."""
    # Anything a link of ours cannot hold is simply not a valid link: int() would take "١٢",
    # " 12" or "1_2", and compare_digest raises TypeError on non-ASCII text.
    if not (isinstance(expires, str) and expires.isascii() and expires.isdigit() and len(expires) <= 12):
        return False
    if not (isinstance(signature, str) and signature.isascii()) or int(expires) < time.time():
        return False
    return hmac.compare_digest(_signature(file_id, int(expires)).encode(), signature.encode())


def file_id_from_url(url):
    """Return the file id inside one of our file links, or None."""
    if not isinstance(url, str):
        return None
    try:
        path = urlsplit(url).path
    except ValueError:  # e.g. an unclosed IPv6 bracket: not one of our links
        return None
    match = _FILE_PATH.search(path)
    return match.group(1) if match else None


def attached(file_id, scope, scope_id, sender_id, what="conversation"):
    """Return the stored file's metadata if the sender uploaded it to this scope, else raise.

    A file belongs to its uploader: a message may carry only its sender's own uploads, so that
    nobody can attach (and by deleting their message, remove) a file under someone else's.
    """
    not_here = f"File not found for this {what}"
    try:
        meta = repository.find(file_id).get("metadata") or {}
    except NotFound:
        raise ValidationFailed(not_here, details=[{"field": "fileUrl", "message": "Unknown file."}]) from None
    if meta.get("scope") != scope or meta.get("scopeId") != str(scope_id):
        raise ValidationFailed(not_here, details=[{"field": "fileUrl", "message": "Not uploaded here."}])
    if meta.get("uploadedBy") != sender_id:
        raise ValidationFailed(not_here, details=[{"field": "fileUrl", "message": "Not uploaded by you."}])
    return meta


def open_for(actor, file_id, expires=None, signature=None):
    """Return (metadata, a seekable reader of its content) when the signed link or the actor may read it.

    Credentials are checked before the file is looked up, so that nobody without them can
    tell a stored file id from an unknown one.
    """
    signed = bool(expires and signature and valid_signature(file_id, expires, signature))
    if not signed and actor is None:
        if expires or signature:
            raise Forbidden("Invalid or expired file link")
        raise Unauthorized()
    doc = repository.find(file_id)
    meta = doc.get("metadata") or {}
    if held_for(actor, meta):  # evidence: readable through what holds it, whatever its scope did with it
        return meta, repository.stream(doc)
    if meta.get("withdrawn"):  # its message was deleted: served to nobody, removed yet or not
        raise NotFound("File not found")
    if not signed and not _readable(actor, meta, str(doc["_id"])):
        raise NotFound("File not found")
    return meta, repository.stream(doc)


def _readable(actor, meta, file_id):
    """Return True when the actor sees the file's scope and either uploaded the file or was sent it."""
    scopes = current_app.extensions.get("gharbazaar.file_scopes", {})
    can_read, shown = scopes.get(meta.get("scope"), (None, None))
    if can_read is None or not can_read(actor, meta.get("scopeId")):
        return False
    # An upload is the uploader's until a message carries it: ids are guessable (two of one's own
    # uploads bracket the other side's), so being in the conversation is not enough.
    return meta.get("uploadedBy") == actor.id or bool(shown and shown(actor, meta.get("scopeId"), file_id))


def remove_unless_used(file_id, in_use):
    """Remove a file unless `in_use()` finds a message still showing it; return True if removed.

    The file is marked first, so a message that carries it and is stored after the check sees the
    mark (`servable`) and withdraws itself instead of showing a removed file.
    """
    repository.set_removing(file_id, True)
    if in_use():
        repository.set_removing(file_id, False)
        return False
    repository.delete(file_id)
    return True


def withdraw(file_id, withdrawn=True):
    """Stop (or resume) serving a file to anyone, links included, before its removal is attempted.

    A removal can fail half-way (the database away); the mark alone already keeps the file unserved.
    """
    repository.set_withdrawn(file_id, withdrawn)


def servable(file_id):
    """Return True while a new message may show the file (stored, not being removed, not withdrawn)."""
    return repository.servable(file_id)


def hold(file_id, scope, scope_id):
    """Keep a file for good as part of something else (a report ticket's evidence), readable by
    whoever may read that (its scope's `can_read`), even after its own scope lets it go."""
    repository.add_hold(file_id, {"scope": scope, "scopeId": str(scope_id)})


def held(file_id):
    """Return True while something holds the file (it must not be removed)."""
    return repository.held(file_id)


def held_for(actor, meta):
    """Return True when the actor may read something that holds the file `meta` describes."""
    scopes = current_app.extensions.get("gharbazaar.file_scopes", {})
    if actor is None:
        return False
    for holder in meta.get("heldBy") or ():
        can_read, _shown = scopes.get(holder.get("scope"), (None, None))
        if can_read is not None and can_read(actor, holder.get("scopeId")):
            return True
    return False
