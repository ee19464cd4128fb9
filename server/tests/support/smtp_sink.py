"""A real SMTP server for the mail tests (aiosmtpd): every message received is written
to OUT_DIR as one JSON file (envelope recipients, decoded subject, Message-ID, body).

usage: smtp_sink.py HOST PORT OUT_DIR   (prints "ready" once it accepts connections)
"""
import email
import json
import os
import sys
import threading
from email import policy

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        record = {
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "subject": str(msg["subject"]),
            "message_id": str(msg["message-id"]),
            "body": msg.get_content() if not msg.is_multipart() else "",
        }
        with self.lock:
            self.count += 1
            name = f"{os.getpid()}-{self.count:06d}.json"
        # Written aside and renamed, so a reader never sees half a file.
        tmp = os.path.join(self.out_dir, "." + name)
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False)
        os.rename(tmp, os.path.join(self.out_dir, name))
        return "250 Message accepted for delivery"


def main():
    host, port, out_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    os.makedirs(out_dir, exist_ok=True)
    controller = Controller(Sink(out_dir), hostname=host, port=port)
    controller.start()
    print("ready", flush=True)
    threading.Event().wait()


if __name__ == "__main__":
    main()
