"""Who may do what: the authorization matrix of every REST endpoint and socket event, as data.

`tests/security/test_authz_matrix.py` checks every cell over every transport a row names.
This file is the documentation; read a row as "subject does action to object -> outcome".

Subjects (columns): each is a role and a relation to the world's objects.

| subject       | role     | conversation (buyer <-> seller)   | ticket (owned by the buyer)          |
|---------------|----------|-----------------------------------|--------------------------------------|
| `owner`       | buyer    | participant, sender of its message| owner                                |
| `participant` | seller   | the other participant             | an outsider customer                 |
| `outsider`    | buyer    | outsider                          | an outsider customer                 |
| `assignee`    | employee | outsider (staff are not in chats) | the assigned employee (A)            |
| `employee`    | employee | outsider                          | another employee (B): staff          |
| `admin`       | admin    | outsider                          | staff with admin rights              |
| `anonymous`   | none     | no token: REST 401, the socket handshake is refused              |

Objects (a row's `target`, and three kinds of id):
- `real`: the world's object. It is the subject's own when the subject is in `OWNERS[target]`,
  someone else's otherwise (test ids say `own` / `others`).
- `missing`: a well-formed ObjectId nobody has.
- `malformed`: `not-an-object-id`.

Targets: `self` (no object: the subject's own presence or room), `conversation`, `message`
(the owner's message in it), `chat_file` (uploaded to it),
`ticket` (assigned to the assignee), `open_ticket` (unassigned), `closed_ticket`,
`ticket_file` (uploaded to the ticket), `note` (an internal note the assignee wrote on the
ticket: `{scope}` is the ticket), `canned_reply` (the assignee's personal one),
`blocked_conversation` (a new user started it with the owner, wrote in it, then blocked the
owner: `{blocker}` is that user). `fresh: True` rows act on objects made for the test (they
change them, or their answer depends on how many objects the subjects have); the others read
the one world built per module.

Outcomes:
- `ALLOW`: 2xx / ack `{success: true}`.
- `SHOWN`: allowed, and the answer holds the object (lists, sync, create-or-get).
- `HIDDEN`: allowed, and the answer holds nothing of the object (someone else's list).
- `(status, code, error)`: refused with exactly this status, code and text. A socket ack
  carries the code and text (no status), and the emitter alone gets one `error` event.

Every refusal must also leak nothing: its answer holds none of the world's private texts,
the object is unchanged afterwards and the object's people receive no event.

Placeholders in `rest` / `socket`: `{id}` the object's id; `{scope}` the conversation or
ticket it belongs to; `{url}` a file link to `{id}`; `{owner}`, `{employee}` those subjects'
user ids; `{property}` the conversation's property id; `{since}` an instant just before the
object was made; `{stranger}` a user id nobody else uses. `FILE` in a form is a small real PNG.

Files belong to their uploader (here always the owner): a message may carry only its sender's
own upload, so `attach_*_file` is the owner's alone; the world's files are sent in a message, so
everyone in the conversation or on the ticket may download them (tests/files/test_unsent_reads.py
has the unsent ones).
"""

ALLOW, SHOWN, HIDDEN = "allow", "shown", "hidden"
SUBJECTS = {
    "owner": "buyer", "participant": "seller", "outsider": "buyer",
    "assignee": "employee", "employee": "employee", "admin": "admin", "anonymous": None,
}
OWNERS = {
    "conversation": {"owner", "participant"}, "message": {"owner"}, "chat_file": {"owner"},
    "ticket": {"owner", "assignee"}, "open_ticket": {"owner"}, "closed_ticket": {"owner", "assignee"},
    "ticket_file": {"owner"},
    "note": {"assignee"}, "canned_reply": {"assignee"},
    "blocked_conversation": {"owner"},
}
KINDS = ("real", "missing", "malformed")
FILE = "<a small real PNG>"
PROBE = "probe text written by the subject"

NO_TOKEN = (401, "unauthorized", "No token provided. Please login.")
NOT_IN_CONVERSATION = (403, "forbidden", "Not authorized for this conversation")
NOT_VIEWER = (403, "forbidden", "Not authorized to view this conversation")
NO_CONVERSATION = (404, "not_found", "Conversation not found")
NO_MESSAGE = (404, "not_found", "Message not found")
NOT_EDITOR = (403, "forbidden", "Not authorized to edit this message")
NOT_DELETER = (403, "forbidden", "Not authorized to delete this message")
NO_FILE = (404, "not_found", "File not found")
NOT_A_CHAT_FILE = (400, "validation_error", "File not found for this conversation")
NOT_A_TICKET_FILE = (400, "validation_error", "File not found for this ticket")
NOT_IN_TICKET = (403, "forbidden", "Not authorized for this ticket")
NO_TICKET = (404, "not_found", "Ticket not found")
STAFF_ONLY_LIST = (403, "forbidden", "Only employees can view all tickets")
STAFF_CANNOT_CREATE = (403, "forbidden", "Employees cannot create support tickets")
STAFF_ONLY_ASSIGN = (403, "forbidden", "Only employees can assign tickets")
BLOCKED = (403, "forbidden", "You cannot message this user")
OWN_REPORT = (400, "validation_error", "You cannot report your own message")
ADMIN_ONLY_ASSIGN_OTHERS = (403, "forbidden", "Only admins can assign tickets to other employees")
ALREADY_ASSIGNED = (409, "invalid_transition", "Ticket is already assigned")
ASSIGNEE_ONLY_STATUS = (403, "forbidden", "Only assigned employee can change ticket status")
ASSIGNEE_ONLY_CLOSE = (403, "forbidden", "Only assigned employee can close this ticket")
OWNER_ONLY_FEEDBACK = (403, "forbidden", "Only the ticket owner can give feedback")
STAFF_ONLY_ROOM = (403, "forbidden", "Only employees can join employee room")
STAFF_ONLY_DESK = (403, "forbidden", "Only employees can access this resource")
STAFF_ONLY_NOTES = (403, "forbidden", "Only employees can use internal notes")
ADMIN_ONLY_TEAM_REPLIES = (403, "forbidden", "Only admins can manage team canned replies")
NO_CANNED_REPLY = (404, "not_found", "Canned reply not found")

CUSTOMERS = ("owner", "participant", "outsider")
STAFF = ("assignee", "employee", "admin")


def each(default, **subjects):
    """Return {subject: outcome}: `default` for every signed-in subject unless named, 401 without a token."""
    table = {subject: default for subject in SUBJECTS}
    table["anonymous"] = NO_TOKEN
    table.update(subjects)
    return table


def customers(outcome):
    return {subject: outcome for subject in CUSTOMERS}


def staff(outcome):
    return {subject: outcome for subject in STAFF}


CHAT = "/api/v1/chat"
TICKETS = "/api/v1/tickets"
DESK = "/api/v1/employee"

MATRIX = [
    # ---- chat: conversations -------------------------------------------------------------
    {"action": "list_conversations", "target": "conversation", "fresh": True,
     "rest": {"method": "GET", "path": f"{CHAT}/conversations"},
     "real": each(HIDDEN, owner=SHOWN, participant=SHOWN)},
    {"action": "create_conversation", "target": "conversation", "fresh": True,
     "note": "naming the pair's property never opens the pair's conversation to a third user",
     "rest": {"method": "POST", "path": f"{CHAT}/conversations",
              "json": {"otherUserId": "{owner}", "propertyId": "{property}"}},
     "real": each(HIDDEN, participant=SHOWN,
                  owner=(400, "validation_error", "Cannot create conversation with yourself"))},
    {"action": "open_conversation", "target": "conversation",
     "rest": {"method": "GET", "path": f"{CHAT}/conversations/{{id}}"},
     "socket": {"event": "join_conversation", "payload": {"conversationId": "{id}"}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    {"action": "hide_conversation", "target": "conversation", "fresh": True,
     "rest": {"method": "DELETE", "path": f"{CHAT}/conversations/{{id}}"},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    {"action": "leave_conversation", "target": "conversation",
     "note": "leaving a room one is not in does nothing",
     "socket": {"event": "leave_conversation", "payload": {"conversationId": "{id}"}},
     "real": each(ALLOW), "missing": each(ALLOW), "malformed": each(ALLOW)},
    {"action": "typing", "target": "conversation",
     "socket": {"event": "typing", "payload": {"conversationId": "{id}", "isTyping": True}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    # ---- chat: messages ------------------------------------------------------------------
    {"action": "list_messages", "target": "conversation",
     "rest": {"method": "GET", "path": f"{CHAT}/conversations/{{id}}/messages"},
     "real": each(NOT_VIEWER, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_VIEWER), "malformed": each(NO_CONVERSATION)},
    {"action": "send_message", "target": "conversation", "fresh": True,
     "rest": {"method": "POST", "path": f"{CHAT}/conversations/{{id}}/messages", "json": {"content": PROBE}},
     "socket": {"event": "send_message", "payload": {"conversationId": "{id}", "content": PROBE}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    {"action": "mark_read", "target": "conversation", "fresh": True,
     "rest": {"method": "POST", "path": f"{CHAT}/conversations/{{id}}/read", "json": {}},
     "socket": {"event": "mark_as_read", "payload": {"conversationId": "{id}"}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    {"action": "edit_message", "target": "message", "fresh": True,
     "rest": {"method": "PUT", "path": f"{CHAT}/messages/{{id}}", "json": {"content": PROBE}},
     "socket": {"event": "edit_message", "payload": {"messageId": "{id}", "content": PROBE}},
     "real": each(NO_MESSAGE, owner=ALLOW, participant=NOT_EDITOR),
     "missing": each(NO_MESSAGE), "malformed": each(NO_MESSAGE)},
    {"action": "delete_message", "target": "message", "fresh": True,
     "rest": {"method": "DELETE", "path": f"{CHAT}/messages/{{id}}"},
     "socket": {"event": "delete_message", "payload": {"messageId": "{id}"}},
     "real": each(NO_MESSAGE, owner=ALLOW, participant=NOT_DELETER),
     "missing": each(NO_MESSAGE), "malformed": each(NO_MESSAGE)},
    # ---- chat: safety (contact-sharing consent, blocks, reports) -------------------------
    {"action": "agree_to_share_contacts", "target": "conversation", "fresh": True,
     "rest": {"method": "POST", "path": f"{CHAT}/conversations/{{id}}/contact-sharing"},
     "socket": {"event": "contact-sharing:agree", "payload": {"conversationId": "{id}"}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    {"action": "withdraw_contact_sharing", "target": "conversation", "fresh": True,
     "rest": {"method": "DELETE", "path": f"{CHAT}/conversations/{{id}}/contact-sharing"},
     "socket": {"event": "contact-sharing:withdraw", "payload": {"conversationId": "{id}"}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    {"action": "list_blocks", "target": "self",
     "rest": {"method": "GET", "path": f"{CHAT}/blocks"},
     "real": each(ALLOW)},
    {"action": "block_user", "target": "self",
     "note": "anyone may block any id (a stranger here, so no other cell is affected)",
     "rest": {"method": "POST", "path": f"{CHAT}/blocks", "json": {"userId": "{stranger}"}},
     "socket": {"event": "block_user", "payload": {"userId": "{stranger}"}},
     "real": each(ALLOW)},
    {"action": "unblock_user", "target": "self",
     "rest": {"method": "DELETE", "path": f"{CHAT}/blocks/{{stranger}}"},
     "socket": {"event": "unblock_user", "payload": {"userId": "{stranger}"}},
     "real": each(ALLOW)},
    {"action": "send_to_blocker", "target": "blocked_conversation", "fresh": True,
     "note": "the owner is blocked: still a participant (history readable), no longer a writer",
     "rest": {"method": "POST", "path": f"{CHAT}/conversations/{{id}}/messages", "json": {"content": PROBE}},
     "socket": {"event": "send_message", "payload": {"conversationId": "{id}", "content": PROBE}},
     "real": each(NOT_IN_CONVERSATION, owner=BLOCKED)},
    {"action": "read_blockers_history", "target": "blocked_conversation", "fresh": True,
     "rest": {"method": "GET", "path": f"{CHAT}/conversations/{{id}}/messages"},
     "real": each(NOT_VIEWER, owner=ALLOW)},
    {"action": "start_conversation_with_blocker", "target": "blocked_conversation", "fresh": True,
     "rest": {"method": "POST", "path": f"{CHAT}/conversations",
              "json": {"otherUserId": "{blocker}", "propertyId": "{property}"}},
     "real": each(HIDDEN, owner=BLOCKED)},
    {"action": "report_message", "target": "message", "fresh": True,
     "note": "the other participant's message only; the evidence goes to staff on a Report ticket",
     "rest": {"method": "POST", "path": f"{CHAT}/messages/{{id}}/report", "json": {"reason": "spam"}},
     "socket": {"event": "report_message", "payload": {"messageId": "{id}", "reason": "spam"}},
     "real": each(NO_MESSAGE, owner=OWN_REPORT, participant=ALLOW),
     "missing": each(NO_MESSAGE), "malformed": each(NO_MESSAGE)},
    {"action": "report_conversation", "target": "conversation", "fresh": True,
     "rest": {"method": "POST", "path": f"{CHAT}/conversations/{{id}}/report", "json": {"reason": "spam"}},
     "socket": {"event": "report_conversation", "payload": {"conversationId": "{id}", "reason": "spam"}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    # ---- chat: files ---------------------------------------------------------------------
    {"action": "upload_to_conversation", "target": "conversation", "fresh": True,
     "rest": {"method": "POST", "path": f"{CHAT}/upload", "form": {"conversationId": "{id}", "file": FILE}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=ALLOW),
     "missing": each(NOT_IN_CONVERSATION), "malformed": each(NO_CONVERSATION)},
    {"action": "attach_chat_file", "target": "chat_file", "fresh": True,
     "note": "only its uploader may send a file: attaching, then deleting, must not reach the owner's file",
     "rest": {"method": "POST", "path": f"{CHAT}/conversations/{{scope}}/messages",
              "json": {"content": PROBE, "fileUrl": "{url}"}},
     "socket": {"event": "send_message", "payload": {"conversationId": "{scope}", "content": PROBE,
                                                     "fileUrl": "{url}"}},
     "real": each(NOT_IN_CONVERSATION, owner=ALLOW, participant=NOT_A_CHAT_FILE),
     "missing": each(NOT_IN_CONVERSATION, owner=NOT_A_CHAT_FILE, participant=NOT_A_CHAT_FILE),
     "malformed": each(NOT_IN_CONVERSATION, owner=NOT_A_CHAT_FILE, participant=NOT_A_CHAT_FILE)},
    {"action": "download_chat_file", "target": "chat_file",
     "note": "with the Authorization header; a signed link is a capability of its own",
     "rest": {"method": "GET", "path": "/api/v1/files/{id}"},
     "real": each(NO_FILE, owner=ALLOW, participant=ALLOW),
     "missing": each(NO_FILE), "malformed": each(NO_FILE)},
    # ---- tickets -------------------------------------------------------------------------
    {"action": "list_own_tickets", "target": "ticket", "fresh": True,
     "rest": {"method": "GET", "path": TICKETS},
     "real": each(HIDDEN, owner=SHOWN)},
    {"action": "list_all_tickets", "target": "ticket", "fresh": True,
     "rest": {"method": "GET", "path": f"{TICKETS}/employee/all"},
     "real": each(SHOWN, **customers(STAFF_ONLY_LIST))},
    {"action": "create_ticket", "target": "ticket",
     "rest": {"method": "POST", "path": TICKETS,
              "json": {"categoryTitle": "Payments", "subCategoryTitle": "Refund", "problem": PROBE}},
     "real": each(HIDDEN, **staff(STAFF_CANNOT_CREATE))},
    {"action": "open_ticket", "target": "ticket",
     "rest": {"method": "GET", "path": f"{TICKETS}/{{id}}"},
     "socket": {"event": "join_ticket", "payload": {"ticketId": "{id}"}},
     "real": each(ALLOW, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "missing": each(NO_TICKET), "malformed": each(NO_TICKET)},
    {"action": "leave_ticket", "target": "ticket",
     "socket": {"event": "leave_ticket", "payload": {"ticketId": "{id}"}},
     "real": each(ALLOW), "missing": each(ALLOW), "malformed": each(ALLOW)},
    {"action": "join_employee_room", "target": "self",
     "socket": {"event": "join_employee_room", "payload": None},
     "real": each(ALLOW, **customers(STAFF_ONLY_ROOM))},
    {"action": "write_on_ticket", "target": "ticket", "fresh": True,
     "rest": {"method": "POST", "path": f"{TICKETS}/{{id}}/messages", "json": {"message": PROBE}},
     "socket": {"event": "ticket_message", "payload": {"ticketId": "{id}", "message": PROBE}},
     "real": each(ALLOW, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "missing": each(NO_TICKET), "malformed": each(NO_TICKET)},
    {"action": "assign", "target": "open_ticket", "fresh": True,
     "rest": {"method": "POST", "path": f"{TICKETS}/{{id}}/assign", "json": {}},
     "socket": {"event": "assign_ticket", "payload": {"ticketId": "{id}"}},
     "real": each(ALLOW, **customers(STAFF_ONLY_ASSIGN)),
     "missing": each(NO_TICKET, **customers(STAFF_ONLY_ASSIGN)),
     "malformed": each(NO_TICKET, **customers(STAFF_ONLY_ASSIGN))},
    {"action": "assign_to_another_employee", "target": "open_ticket", "fresh": True,
     "note": "employeeId is employee B: B may take it, A may not hand it to B, the admin may",
     "rest": {"method": "POST", "path": f"{TICKETS}/{{id}}/assign", "json": {"employeeId": "{employee}"}},
     "socket": {"event": "assign_ticket", "payload": {"ticketId": "{id}", "employeeId": "{employee}"}},
     "real": each(ALLOW, assignee=ADMIN_ONLY_ASSIGN_OTHERS, **customers(STAFF_ONLY_ASSIGN))},
    {"action": "take_over_assigned_ticket", "target": "ticket", "fresh": True,
     "rest": {"method": "POST", "path": f"{TICKETS}/{{id}}/assign", "json": {}},
     "socket": {"event": "assign_ticket", "payload": {"ticketId": "{id}"}},
     "note": "the assignee taking its own ticket again is a no-op answered with the ticket",
     "real": each(ALLOW, employee=ALREADY_ASSIGNED, **customers(STAFF_ONLY_ASSIGN))},
    {"action": "change_status", "target": "ticket", "fresh": True,
     "rest": {"method": "PUT", "path": f"{TICKETS}/{{id}}/status", "json": {"status": "in_progress"}},
     "real": each(ASSIGNEE_ONLY_STATUS, assignee=ALLOW, admin=ALLOW,
                  participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "missing": each(NO_TICKET), "malformed": each(NO_TICKET)},
    {"action": "close", "target": "ticket", "fresh": True,
     "rest": {"method": "PUT", "path": f"{TICKETS}/{{id}}/close"},
     "socket": {"event": "close_ticket", "payload": {"ticketId": "{id}"}},
     "real": each(ASSIGNEE_ONLY_CLOSE, assignee=ALLOW, admin=ALLOW,
                  participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "missing": each(NO_TICKET), "malformed": each(NO_TICKET)},
    {"action": "give_feedback", "target": "closed_ticket", "fresh": True,
     "rest": {"method": "POST", "path": f"{TICKETS}/{{id}}/feedback", "json": {"rating": 5}},
     "real": each(OWNER_ONLY_FEEDBACK, owner=ALLOW, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "missing": each(NO_TICKET), "malformed": each(NO_TICKET)},
    {"action": "upload_to_ticket", "target": "ticket", "fresh": True,
     "rest": {"method": "POST", "path": f"{TICKETS}/{{id}}/upload", "form": {"file": FILE}},
     "real": each(ALLOW, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "missing": each(NO_TICKET), "malformed": each(NO_TICKET)},
    {"action": "upload_to_ticket_files", "target": "ticket", "fresh": True,
     "rest": {"method": "POST", "path": f"{TICKETS}/{{id}}/files", "form": {"file": FILE}},
     "real": each(ALLOW, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "missing": each(NO_TICKET), "malformed": each(NO_TICKET)},
    {"action": "attach_ticket_file", "target": "ticket_file", "fresh": True,
     "note": "only its uploader may send a file: staff may not attach the customer's",
     "rest": {"method": "POST", "path": f"{TICKETS}/{{scope}}/messages",
              "json": {"message": PROBE, "fileUrl": "{url}"}},
     "socket": {"event": "ticket_message", "payload": {"ticketId": "{scope}", "message": PROBE,
                                                       "fileUrl": "{url}"}},
     "real": each(NOT_A_TICKET_FILE, owner=ALLOW, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "missing": each(NOT_A_TICKET_FILE, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET),
     "malformed": each(NOT_A_TICKET_FILE, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET)},
    {"action": "download_ticket_file", "target": "ticket_file",
     "rest": {"method": "GET", "path": "/api/v1/files/{id}"},
     "real": each(ALLOW, participant=NO_FILE, outsider=NO_FILE),
     "missing": each(NO_FILE), "malformed": each(NO_FILE)},
    # ---- the employee desk: staff only -----------------------------------------------------
    {"action": "desk_list_tickets", "target": "ticket", "fresh": True,
     "rest": {"method": "GET", "path": f"{DESK}/tickets"},
     "real": each(SHOWN, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_active_conversations", "target": "ticket", "fresh": True,
     "note": "the assignee's own work only; employee B does not see A's ticket",
     "rest": {"method": "GET", "path": f"{DESK}/active-conversations"},
     "real": each(HIDDEN, assignee=SHOWN, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_quick_response", "target": "ticket", "fresh": True,
     "rest": {"method": "POST", "path": f"{DESK}/quick-response",
              "json": {"ticketId": "{id}", "templateId": "greeting"}},
     "real": each(ALLOW, **customers(STAFF_ONLY_DESK)),
     "missing": each(NO_TICKET, **customers(STAFF_ONLY_DESK)),
     "malformed": each(NO_TICKET, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_user_history", "target": "ticket", "fresh": True,
     "rest": {"method": "GET", "path": f"{DESK}/user-history/{{owner}}"},
     "real": each(SHOWN, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_stats", "target": "self",
     "rest": {"method": "GET", "path": f"{DESK}/stats"},
     "real": each(ALLOW, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_list_canned_replies", "target": "canned_reply",
     "note": "the team's and one's own: nobody else sees the assignee's personal replies",
     "rest": {"method": "GET", "path": f"{DESK}/canned-replies"},
     "real": each(HIDDEN, assignee=SHOWN, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_create_canned_reply", "target": "self",
     "rest": {"method": "POST", "path": f"{DESK}/canned-replies", "json": {"title": "t", "content": PROBE}},
     "real": each(ALLOW, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_create_team_canned_reply", "target": "self",
     "rest": {"method": "POST", "path": f"{DESK}/canned-replies",
              "json": {"title": "t", "content": PROBE, "scope": "team"}},
     "real": each(ADMIN_ONLY_TEAM_REPLIES, admin=ALLOW, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_update_canned_reply", "target": "canned_reply", "fresh": True,
     "note": "someone else's personal reply does not exist for them, admins included",
     "rest": {"method": "PUT", "path": f"{DESK}/canned-replies/{{id}}", "json": {"title": PROBE}},
     "real": each(NO_CANNED_REPLY, assignee=ALLOW, **customers(STAFF_ONLY_DESK)),
     "missing": each(NO_CANNED_REPLY, **customers(STAFF_ONLY_DESK)),
     "malformed": each(NO_CANNED_REPLY, **customers(STAFF_ONLY_DESK))},
    {"action": "desk_delete_canned_reply", "target": "canned_reply", "fresh": True,
     "rest": {"method": "DELETE", "path": f"{DESK}/canned-replies/{{id}}"},
     "real": each(NO_CANNED_REPLY, assignee=ALLOW, **customers(STAFF_ONLY_DESK)),
     "missing": each(NO_CANNED_REPLY, **customers(STAFF_ONLY_DESK)),
     "malformed": each(NO_CANNED_REPLY, **customers(STAFF_ONLY_DESK))},
    # ---- internal notes: staff only; a customer never sees one, by any path -----------------
    {"action": "read_notes", "target": "note",
     "rest": {"method": "GET", "path": f"{TICKETS}/{{scope}}/notes"},
     "real": each(SHOWN, **customers(STAFF_ONLY_NOTES))},
    {"action": "read_notes_of", "target": "ticket",
     "rest": {"method": "GET", "path": f"{TICKETS}/{{id}}/notes"},
     "real": each(ALLOW, **customers(STAFF_ONLY_NOTES)),
     "missing": each(NO_TICKET, **customers(STAFF_ONLY_NOTES)),
     "malformed": each(NO_TICKET, **customers(STAFF_ONLY_NOTES))},
    {"action": "write_note", "target": "ticket", "fresh": True,
     "rest": {"method": "POST", "path": f"{TICKETS}/{{id}}/notes", "json": {"note": PROBE}},
     "socket": {"event": "ticket_note", "payload": {"ticketId": "{id}", "note": PROBE}},
     "real": each(ALLOW, **customers(STAFF_ONLY_NOTES)),
     "missing": each(NO_TICKET, **customers(STAFF_ONLY_NOTES)),
     "malformed": each(NO_TICKET, **customers(STAFF_ONLY_NOTES))},
    {"action": "open_ticket_never_shows_notes", "target": "note",
     "note": "the ticket, its messages and the join ack carry no note, for its owner or for staff",
     "rest": {"method": "GET", "path": f"{TICKETS}/{{scope}}"},
     "socket": {"event": "join_ticket", "payload": {"ticketId": "{scope}"}},
     "real": each(HIDDEN, participant=NOT_IN_TICKET, outsider=NOT_IN_TICKET)},
    {"action": "resync_never_shows_notes", "target": "note",
     "rest": {"method": "POST", "path": "/api/v1/sync", "json": {"since": "{since}"}},
     "socket": {"event": "sync", "payload": {"since": "{since}"}},
     "real": each(HIDDEN)},
    # ---- presence: about oneself only; answers carry statuses, never socket ids ------------
    {"action": "presence_update_status", "target": "self",
     "socket": {"event": "presence:update-status", "payload": {"status": "online"}},
     "real": each(ALLOW)},
    {"action": "presence_get_status", "target": "self",
     "socket": {"event": "presence:get-status", "payload": {"userIds": ["{owner}", "{employee}"]}},
     "real": each(ALLOW)},
    {"action": "presence_heartbeat", "target": "self",
     "socket": {"event": "presence:heartbeat", "payload": {}},
     "real": each(ALLOW)},
    # ---- resync: ids that are not the caller's are left out without a word ---------------
    {"action": "sync_conversation", "target": "conversation",
     "rest": {"method": "POST", "path": "/api/v1/sync", "json": {"conversations": {"{id}": 0}}},
     "socket": {"event": "sync", "payload": {"conversations": {"{id}": 0}}},
     "real": each(HIDDEN, owner=SHOWN, participant=SHOWN),
     "missing": each(HIDDEN), "malformed": each(HIDDEN)},
    {"action": "sync_tickets_since", "target": "ticket", "fresh": True,
     "rest": {"method": "POST", "path": "/api/v1/sync", "json": {"since": "{since}"}},
     "socket": {"event": "sync", "payload": {"since": "{since}"}},
     "real": each(HIDDEN, owner=SHOWN, assignee=SHOWN)},
]


def transports(row):
    """Return the transports a row names: 'rest', 'socket' or both."""
    return [name for name in ("rest", "socket") if row.get(name)]


def cells():
    """Yield (row, kind, subject, transport, outcome) for every cell of the matrix."""
    for row in MATRIX:
        for kind in KINDS:
            for subject, outcome in row.get(kind, {}).items():
                for transport in transports(row):
                    yield row, kind, subject, transport, outcome
