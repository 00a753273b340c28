"""The client socket events as published (AsyncAPI), a baseline payload for each, and its slots."""
from tests.security.documents import published, resolve
from tests.security.sweeps import property_slots, with_value

DOCUMENT = published("/api/v1/asyncapi.json")
MESSAGES = DOCUMENT["components"]["messages"]
EVENTS = {MESSAGES[ref["$ref"].rsplit("/", 1)[1]]["name"]: MESSAGES[ref["$ref"].rsplit("/", 1)[1]]["payload"]
          for ref in DOCUMENT["channels"]["/"]["publish"]["message"]["oneOf"]}
CONVERSATION, TICKET = {"conversationId": "{conversation_id}"}, {"ticketId": "{ticket_id}"}
# event -> (who emits, a payload that passes validation); baselines close or delete spare objects only.
BASELINES = {
    "join_conversation": ("buyer", CONVERSATION),
    "leave_conversation": ("buyer", CONVERSATION),
    "send_message": ("buyer", {**CONVERSATION, "content": "Hello", "type": "text",
                               "clientMessageId": "{fresh}"}),
    "typing": ("buyer", {**CONVERSATION, "isTyping": True}),
    "mark_as_read": ("buyer", {**CONVERSATION, "upToMessageId": "{message_id}"}),
    "edit_message": ("buyer", {"messageId": "{message_id}", "content": "Edited"}),
    "delete_message": ("buyer", {"messageId": "{spare_message_id}"}),
    "join_employee_room": ("admin", {}),
    "join_ticket": ("buyer", TICKET),
    "leave_ticket": ("buyer", TICKET),
    "ticket_message": ("buyer", {**TICKET, "message": "Hello", "fileName": "a.png"}),
    "ticket_note": ("admin", {**TICKET, "note": "Checked the payment"}),
    "assign_ticket": ("admin", {**TICKET, "employeeId": "{admin}"}),
    "close_ticket": ("admin", {"ticketId": "{spare_ticket_id}"}),
    "presence:update-status": ("buyer", {"status": "online"}),
    "presence:get-status": ("buyer", {"userIds": ["{seller}"]}),
    "presence:heartbeat": ("buyer", {}),
    "sync": ("buyer", {"conversations": {"{conversation_id}": 0}, "since": "{since}"}),
    "contact-sharing:agree": ("buyer", CONVERSATION),
    "contact-sharing:withdraw": ("buyer", CONVERSATION),
    "block_user": ("buyer", {"userId": "{fresh}"}),
    "unblock_user": ("buyer", {"userId": "{fresh}"}),
    "report_message": ("seller", {"messageId": "{message_id}", "reason": "spam", "details": "x"}),
    "report_conversation": ("seller", {**CONVERSATION, "reason": "other", "details": "x"}),
}
WHOLE, BARE = ("<payload>",), ("<bare id>",)


def slot_schemas(payload_schema):
    """Return {slot: its schema} for an event: the whole payload, a bare id if it takes one, every field."""
    found = {WHOLE: {}}
    for option in resolve(DOCUMENT, payload_schema).get("oneOf", [payload_schema]):
        option = resolve(DOCUMENT, option)
        if option.get("type") == "string":
            found[BARE] = option
        else:
            found.update(property_slots(DOCUMENT, option))
    return found


def slots(payload_schema):
    """Return the slots of an event's payload."""
    return list(slot_schemas(payload_schema))


def payload_for(baseline, slot, value):
    """Return the baseline with one slot set to value (the value itself for the whole payload)."""
    if slot in (WHOLE, BARE):
        return value
    return with_value(baseline, slot, value)
