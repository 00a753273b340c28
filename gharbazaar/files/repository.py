"""GridFS storage for uploaded files: the only module that touches the `fs` bucket."""
from gridfs import GridFSBucket
from gridfs.errors import NoFile
from pymongo import ASCENDING, IndexModel

from ..db import get_db, object_id
from ..errors import NotFound

BUCKET = "fs"

# collection -> the indexes its queries need; the feature's init_app registers them.
INDEXES = {}
INDEXES[f"{BUCKET}.files"] = [
    IndexModel([("metadata.scope", ASCENDING), ("metadata.scopeId", ASCENDING)], name="by_scope"),
]


def _bucket():
    return GridFSBucket(get_db(), bucket_name=BUCKET)


def save(data, filename, content_type, metadata):
    """Store bytes with their metadata; return the new file's ObjectId."""
    meta = dict(metadata, contentType=content_type)
    return _bucket().upload_from_stream(filename, data, metadata=meta)


def find(file_id):
    """Return the stored file's description (no content) or raise NotFound."""
    doc = get_db()[f"{BUCKET}.files"].find_one({"_id": object_id(file_id, "File")})
    if doc is None:
        raise NotFound("File not found")
    return doc


def set_removing(file_id, removing):
    """Mark (or unmark) a file as about to be removed."""
    get_db()[f"{BUCKET}.files"].update_one({"_id": object_id(file_id, "File")},
                                           {"$set": {"metadata.removing": removing}})


def usable(file_id):
    """Return True while the file is stored and not about to be removed."""
    query = {"_id": object_id(file_id, "File"), "metadata.removing": {"$ne": True}}
    return get_db()[f"{BUCKET}.files"].find_one(query, projection={"_id": 1}) is not None


def read(file_id):
    """Return the stored file's bytes or raise NotFound."""
    try:
        return _bucket().open_download_stream(object_id(file_id, "File")).read()
    except NoFile:
        raise NotFound("File not found") from None


def delete(file_id):
    """Remove a stored file and its chunks; missing files are ignored."""
    try:
        _bucket().delete(object_id(file_id, "File"))
    except NoFile:
        pass
