"""One form for an e-mail address, wherever one is stored or compared (sign-in, password
reset, invitations, the sample accounts, the back office): trimmed, in lower case, and
its domain in its ASCII (IDNA) form, so that `person@exämple.org` and
`person@xn--exmple-cua.org`, one mailbox, are one account."""

from __future__ import annotations


def normalise_email(value: str | None) -> str:
    """`value` trimmed and lower-cased, with its domain IDNA-encoded. An address whose
    domain cannot be encoded is returned lower-cased: the e-mail validators refuse it."""
    if not value:
        return ""
    address = value.strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return address.lower()
    try:
        ascii_domain = domain.strip().rstrip(".").encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = domain
    return f"{local}@{ascii_domain}".lower()
