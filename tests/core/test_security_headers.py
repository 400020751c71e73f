"""HTTP hardening: a strict Content Security Policy everywhere except the embeddable list's
framing rule and the third-party API documentation pages."""

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.django_db


def policy(response):
    return dict(
        ([*part.split(" ", 1), ""])[:2]
        for part in (p.strip() for p in response["Content-Security-Policy"].split(";"))
        if part
    )


def test_pages_send_a_strict_content_security_policy(client, alliance):
    for url in ["/", "/aalborg/", "/aalborg/partners/", "/accounts/login/", "/verify/"]:
        csp = policy(client.get(url))
        assert csp["default-src"] == "'self'", url
        assert csp["script-src"] == "'self'", url
        assert "unsafe-inline" not in csp["style-src"], url
        assert csp["frame-ancestors"] == "'none'", url


def test_only_the_embeddable_list_may_be_framed_by_other_sites(client, alliance):
    csp = policy(client.get("/aalborg/embed/"))
    assert csp["frame-ancestors"] == "*"
    assert csp["script-src"] == "'self'"


def test_templates_hold_no_inline_scripts_or_style_attributes():
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        if "pdf" in path.parts or path.name == "redoc.html":  # PDFs; exempt API docs page
            continue
        text = Path(path).read_text()
        if re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"\sstyle=\"", text) or "<style" in text:
            offenders.append(f"{path}: inline style")
    assert offenders == []
