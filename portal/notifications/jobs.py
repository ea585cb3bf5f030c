"""The outbox job: deliver what is waiting, a batch at a time, each batch committed."""

from __future__ import annotations

from flask import current_app

from portal.notifications.senders import sender_for
from portal.notifications.service import deliver_outbox

BATCH = 100
MAX_BATCHES = 50  # a minute's work; what is left goes in the next slot


def send_notifications(session, since=None, now=None) -> str:
    sender = sender_for(current_app)
    sent = failed = 0
    for _ in range(MAX_BATCHES):
        counts = deliver_outbox(session, sender, batch=BATCH)
        session.commit()  # what was sent is recorded before the next batch
        sent, failed = sent + counts["sent"], failed + counts["failed"]
        if counts["failed"] or counts["sent"] < BATCH:
            break
    return f"sent {sent}, failed {failed}"
