"""Uploads no message ever carried are removed UNSENT_FILE_TTL_S after they were uploaded.

Uploading and sending are two requests: a file uploaded and never sent (a closed tab, a client
that only uploads) would otherwise stay in GridFS for good, and an account could fill the database
at the upload limit's pace. Scopes whose files are meant to be sent register `in_use(scope_id,
file_id)` (chat); the others keep their files (a ticket's belong to the ticket).

Each serving process looks every UNSENT_SWEEP_S at the files uploaded in the window that has come
of age since its last look (on start, the day before it too): a removal is `remove_unless_used`,
so processes looking at the same file agree, and a message sent at that instant withdraws itself.
The same look removes the chunks of uploads that never got their file document, whatever their
scope (a process that died, or a database that failed, mid-upload): no upload lasts that long.
"""
from datetime import timedelta

from bson import ObjectId
from flask import current_app

from ..models import utcnow
from ..runtime.server import every
from . import repository, service

SWEPT_UNTIL = "gharbazaar.unsent_swept_until"
USERS = "gharbazaar.file_in_use"
ORPHANS = "orphaned chunks"  # its window's key beside the scopes'
BATCH = 100
FIRST_LOOK_BACK = timedelta(days=1)


def register(app, scope, in_use):
    """Have unsent files of scope removed; in_use(scope_id, file_id) tells whether a message shows one."""
    app.extensions.setdefault(USERS, {})[scope] = in_use


def sweep(now=None):
    """Remove the unsent files of every registered scope and orphaned chunks come of age; count them."""
    now = now or utcnow()
    until = now - timedelta(seconds=current_app.config["UNSENT_FILE_TTL_S"])
    removed = _orphans(until)
    for scope, in_use in current_app.extensions.get(USERS, {}).items():
        key = (SWEPT_UNTIL, scope)
        # Ids carry their upload's second, so the window is a range of ids: exact, no ties to break.
        after = current_app.extensions.get(key) or ObjectId.from_datetime(until - FIRST_LOOK_BACK)
        before = ObjectId.from_datetime(until)
        while True:
            docs = repository.uploaded_between(scope, after, before, BATCH)
            for doc in docs:
                scope_id, file_id = (doc.get("metadata") or {}).get("scopeId"), str(doc["_id"])
                removed += service.remove_unless_used(file_id, lambda: in_use(scope_id, file_id))
            if len(docs) < BATCH:
                break
            after = docs[-1]["_id"]
        current_app.extensions[key] = before
    return removed


def _orphans(until):
    """Remove the chunks, uploaded in the window that came of age, of files that have no document."""
    key = (SWEPT_UNTIL, ORPHANS)
    after = current_app.extensions.get(key) or ObjectId.from_datetime(until - FIRST_LOOK_BACK)
    before = ObjectId.from_datetime(until)
    removed = 0
    while True:
        ids, orphans = repository.orphaned_chunks(after, before, BATCH)
        for file_id in orphans:
            repository.delete(file_id)
        removed += len(orphans)
        if len(ids) < BATCH:
            break
        after = ids[-1]
    current_app.extensions[key] = before
    return removed


# A round that fails (the database away) leaves its window to the next round.
start = every("UNSENT_SWEEP_S", sweep, "unsent file sweep")
