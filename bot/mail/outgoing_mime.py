"""OutgoingMail as RFC 822 bytes, for backends that send MIME (Graph's MIME form, EWS
MimeContent) so In-Reply-To, References and Auto-Submitted reach the recipient intact."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from bot.mail.mailbox import OutgoingMail


def outgoing_mime(mail: OutgoingMail, from_address: str) -> bytes:
    message = EmailMessage()
    message["From"] = from_address
    message["To"] = ", ".join(mail.to)
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    if not any(key.lower() == "message-id" for key in mail.headers):  # a caller's own id wins
        message["Message-ID"] = make_msgid(domain=from_address.rsplit("@", 1)[-1])
    if mail.in_reply_to:
        message["In-Reply-To"] = mail.in_reply_to
    references = list(mail.references) or ([mail.in_reply_to] if mail.in_reply_to else [])
    if references:
        message["References"] = " ".join(references)
    for key, value in mail.headers.items():
        message[key] = value
    message.set_content(mail.text)
    if mail.html:
        message.add_alternative(mail.html, subtype="html")
        html_part = message.get_body(preferencelist=("html",))
        assert html_part is not None  # just added
        for item in (a for a in mail.attachments if a.content_id):  # images the HTML shows
            maintype, subtype = item.content_type.split("/", 1)
            html_part.add_related(item.data, maintype=maintype, subtype=subtype, cid=f"<{item.content_id}>",
                                  filename=item.filename)
    for item in (a for a in mail.attachments if not (a.content_id and mail.html)):
        maintype, subtype = item.content_type.split("/", 1)
        message.add_attachment(item.data, maintype=maintype, subtype=subtype, filename=item.filename)
    return message.as_bytes(policy=policy.SMTP)  # CRLF line ends, as on the wire
