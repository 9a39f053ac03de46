"""Account mail (confirmations, password resets), sent by the job worker."""

from __future__ import annotations

import logging

from django.core.mail import EmailMultiAlternatives

from apps.core.jobs import retried_task

logger = logging.getLogger(__name__)


@retried_task(attempts=4)
def account_send_mail(
    *, subject: str, body: str, html: str, to: list[str], from_email: str
) -> None:
    message = EmailMultiAlternatives(subject, body, from_email, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    logger.info("account mail sent: %s", subject)
