"""A person's commitment-paper signatures, for the data export (klimaalliance.personal_data)."""

from klimaalliance.personal_data import iso

from .models import CommitmentSignature


def paper_signatures(user) -> list[dict]:
    signatures = CommitmentSignature.objects.filter(user=user).select_related(
        "paper__group__alliance", "company"
    )
    return [
        {
            "document": "commitment_paper",
            "paper_id": signature.paper.pk,
            "paper_title": signature.paper.title,
            "alliance": signature.paper.group.alliance.name,
            "company": signature.company.name,
            "party": "company",
            "typed_name": signature.typed_name,
            "title": signature.title,
            "signed_at": iso(signature.signed_at),
            "ip_address": signature.ip_address,
            "user_agent": signature.user_agent,
        }
        for signature in signatures.order_by("signed_at", "pk")
    ]
