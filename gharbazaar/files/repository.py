"""GridFS storage for uploaded files: the only module that touches the `fs` bucket."""
import io
import logging

import pymongo
from bson import ObjectId
from gridfs import GridFSBucket
from gridfs.errors import CorruptGridFile
from pymongo import ASCENDING, IndexModel
from pymongo.errors import PyMongoError

from ..db import get_db, object_id
from ..errors import NotFound

log = logging.getLogger(__name__)
BUCKET = "fs"

# collection -> the indexes its queries need; the feature's init_app registers them.
INDEXES = {}
INDEXES[f"{BUCKET}.files"] = [
    IndexModel([("metadata.scope", ASCENDING), ("metadata.scopeId", ASCENDING)], name="by_scope"),
    IndexModel([("metadata.scope", ASCENDING), ("_id", ASCENDING)], name="by_scope_age"),  # unsent.py
]
# GridFS's own index (the same name and keys it creates on a first upload): reads, and unsent.py's
# look for chunks left without their file.
INDEXES[f"{BUCKET}.chunks"] = [IndexModel([("files_id", ASCENDING), ("n", ASCENDING)], unique=True)]


def _bucket():
    return GridFSBucket(get_db(), bucket_name=BUCKET)


def save(data, filename, content_type, metadata, budget_s):
    """Store bytes with their metadata within budget_s seconds; return the new file's ObjectId.

    A save that fails removes what it wrote before it raises (GridFS's own clean-up runs under the
    same spent deadline, or not at all when the file document is what failed); what even that misses
    is left to unsent.py, which removes chunks without a file once they are old.
    """
    meta = dict(metadata, contentType=content_type)
    file_id = ObjectId()
    try:
        # One deadline for the whole upload (up to 40 chunks and the file document), not the
        # client's per-operation MONGODB_TIMEOUT_MS: a 10 MB write to a busy database takes longer.
        with pymongo.timeout(budget_s):
            _bucket().upload_from_stream_with_id(file_id, filename, data, metadata=meta)
    except Exception:
        discard(file_id)
        raise
    return file_id


def discard(file_id):
    """Remove a file's chunks and document, best effort, each under the client's fresh timeout."""
    try:
        delete(file_id)
    except PyMongoError as exc:  # the database is what failed: the sweep removes the rest later
        log.warning("could not remove a failed upload's chunks",
                    extra={"fields": {"fileId": str(file_id), "error": type(exc).__name__}})


def find(file_id):
    """Return the stored file's description (no content) or raise NotFound."""
    doc = get_db()[f"{BUCKET}.files"].find_one({"_id": object_id(file_id, "File")})
    if doc is None:
        raise NotFound("File not found")
    return doc


def uploaded_between(scope, after, before, limit):
    """Return up to limit files of a scope with ids in (after, before), oldest first (id, scope id)."""
    query = {"metadata.scope": scope, "_id": {"$gt": after, "$lt": before}}
    return list(get_db()[f"{BUCKET}.files"].find(query, projection={"metadata.scopeId": 1})
                .sort("_id", ASCENDING).limit(limit))


def set_removing(file_id, removing):
    """Mark (or unmark) a file as about to be removed."""
    get_db()[f"{BUCKET}.files"].update_one({"_id": object_id(file_id, "File")},
                                           {"$set": {"metadata.removing": removing}})


def set_withdrawn(file_id, withdrawn):
    """Mark (or unmark) a file as served to nobody (the message that showed it was deleted)."""
    get_db()[f"{BUCKET}.files"].update_one({"_id": object_id(file_id, "File")},
                                           {"$set": {"metadata.withdrawn": withdrawn}})


def servable(file_id):
    """Return True while the file is stored, not about to be removed and not withdrawn."""
    query = {"_id": object_id(file_id, "File"), "metadata.removing": {"$ne": True},
             "metadata.withdrawn": {"$ne": True}}
    return get_db()[f"{BUCKET}.files"].find_one(query, projection={"_id": 1}) is not None


def add_hold(file_id, holder):
    """Record that holder ({scope, scopeId}) keeps the file."""
    get_db()[f"{BUCKET}.files"].update_one({"_id": object_id(file_id, "File")},
                                           {"$addToSet": {"metadata.heldBy": holder}})


def held(file_id):
    """Return True when something holds the file."""
    query = {"_id": object_id(file_id, "File"), "metadata.heldBy.0": {"$exists": True}}
    return get_db()[f"{BUCKET}.files"].find_one(query, projection={"_id": 1}) is not None


def stream(doc):
    """Return a seekable reader of the file `doc` describes (see ChunkReader)."""
    return ChunkReader(get_db()[f"{BUCKET}.chunks"], doc)


class ChunkReader(io.RawIOBase):
    """The content of a stored file, read one chunk (255 KiB) at a time as it is asked for.

    GridFS's own reader fetches chunks through one cursor whose first batch holds up to 16 MiB: a
    10 MB file whole in memory per download (40 slow readers held 360 MB). This holds one chunk.
    """

    def __init__(self, chunks, doc):
        super().__init__()
        self._chunks, self._id = chunks, doc["_id"]
        self.length, self.upload_date = doc["length"], doc["uploadDate"]
        self._size, self._pos, self._cached = doc["chunkSize"], 0, (None, b"")

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.length}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    def read(self, size=-1):
        """Return up to size bytes from the current position (at most to the end of its chunk)."""
        if self._pos >= self.length:
            return b""
        n, offset = divmod(self._pos, self._size)
        data = self._chunk(n)[offset:]
        if size is not None and size >= 0:
            data = data[:size]
        self._pos += len(data)
        return data

    def _chunk(self, n):
        if self._cached[0] != n:
            doc = self._chunks.find_one({"files_id": self._id, "n": n})
            if doc is None:  # removed while it was being read
                raise CorruptGridFile(f"chunk {n} of file {self._id} is missing")
            self._cached = (n, bytes(doc["data"]))
        return self._cached[1]


def delete(file_id):
    """Remove a stored file and its chunks; missing files are ignored."""
    file_id = object_id(file_id, "File")
    db = get_db()
    db[f"{BUCKET}.files"].delete_one({"_id": file_id})
    # The first chunk goes last: whatever an interrupted removal leaves still has it, which is how
    # orphaned_chunks finds leftovers.
    db[f"{BUCKET}.chunks"].delete_many({"files_id": file_id, "n": {"$gt": 0}})
    db[f"{BUCKET}.chunks"].delete_one({"files_id": file_id, "n": 0})


def orphaned_chunks(after, before, limit):
    """Return (up to limit ids in (after, before) of files with chunks, oldest first; those with no file)."""
    query = {"files_id": {"$gt": after, "$lt": before}, "n": 0}
    ids = [doc["files_id"] for doc in get_db()[f"{BUCKET}.chunks"].find(query, projection={"files_id": 1})
           .sort("files_id", ASCENDING).limit(limit)]
    files = get_db()[f"{BUCKET}.files"].find({"_id": {"$in": ids}}, projection={"_id": 1})
    kept = {doc["_id"] for doc in files}
    return ids, [file_id for file_id in ids if file_id not in kept]
