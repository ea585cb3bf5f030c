"""Pluggable senders for the outbox: a log sender by default, SMTP when configured."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import Flask

log = logging.getLogger("portal.notifications")


class LogSender:
    def send(self, user, text: str) -> None:
        log.info("notification for user %s: %s", user.id, text)


class SmtpSender:
    """E-mail through an SMTP relay; SMTP_TO is a pattern such as {phone}@sms-gateway.example."""

    def __init__(self, config):
        self.config = config

    def send(self, user, text: str) -> None:
        config = self.config
        message = EmailMessage()
        message["From"] = config["SMTP_FROM"]
        message["To"] = config["SMTP_TO"].format(phone=user.phone, id=user.id)
        message["Subject"] = text[:60]
        message.set_content(text)
        with smtplib.SMTP(config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=20) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"])
            smtp.send_message(message)


def sender_for(app: Flask):
    if app.config["NOTIFICATION_SENDER"] == "smtp":
        return SmtpSender(app.config)
    return LogSender()
