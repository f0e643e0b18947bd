"""What the fault tests share: the integration helpers (loketlib), a
config with one agency that answers, and a citizen message whose reply
is the row to follow."""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..",
                                "integration"))

from loketlib import wa_text  # noqa: E402

WA_ID = "106540352242922"
LONG = os.environ.get("FAULTS_LONG") == "1"


def config(tmp):
    """One agency on the fixtures' number, answering every message."""
    path = os.path.join(tmp, "faults.conf")
    with open(path, "w") as f:
        f.write("default_agency = demo\n[agency demo]\nname = Demo\n"
                "policy = case\nwhatsapp_phone_number_id = %s\n" % WA_ID)
    return path


def citizen_says(srv, phone, text):
    """Posts a signed WhatsApp message; returns the HTTP status."""
    st, _ = srv.post("whatsapp", wa_text("wamid.f.%s.%d" % (phone,
                                                            time.time_ns()),
                                         text, phone=phone,
                                         ts=str(int(time.time()))))
    return st


def reply_rows(srv, phone):
    """(id, status, attempts, meta_msg_id) of the text replies to phone."""
    return srv.query("SELECT id, status, attempts, meta_msg_id FROM outbox "
                     "WHERE user_id = ? AND kind NOT IN ('read', 'typing') "
                     "ORDER BY id", (phone,))


def sends_to(mock, phone, accepted_only=False):
    """Requests the mock received with a message to phone."""
    out = []
    for r in mock.requests():
        b = r.get("body") or {}
        if not isinstance(b, dict) or b.get("to") != "+" + phone:
            continue
        if b.get("status") == "read" or b.get("type") is None:
            continue
        if accepted_only and r.get("answer") != 200:
            continue
        out.append(r)
    return out
