"""A person's agreement signatures, for the data export (see klimaalliance.personal_data)."""

from klimaalliance.personal_data import iso

from .models import Signature


def agreement_signatures(user) -> list[dict]:
    signatures = Signature.objects.filter(user=user).select_related(
        "agreement__company", "agreement__alliance"
    )
    return [
        {
            "document": "agreement",
            "agreement_id": signature.agreement.pk,
            "agreement_version": signature.agreement.version,
            "alliance": signature.agreement.alliance.name,
            "company": signature.agreement.company.name,
            "party": signature.party,
            "typed_name": signature.typed_name,
            "title": signature.title,
            "signed_at": iso(signature.signed_at),
            "ip_address": signature.ip_address,
            "user_agent": signature.user_agent,
        }
        for signature in signatures.order_by("signed_at", "pk")
    ]
