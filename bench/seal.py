"""What does the digital seal cost per document?  Run: `.venv/bin/python bench/seal.py`.

On a temporary SQLite database (DATABASE_URL may override it): the typical three-page
agreement of bench/agreement_pdf.py is rendered once, unsealed; then `seal_pdf` seals those
bytes with a fresh EC P-256 platform certificate (a demo CA made here) 20 times after two
warm-ups, and the median is printed, with the cost of checking one seal.
"""

import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WARMUPS, RUNS = 2, 20


def median_ms(function):
    for _ in range(WARMUPS):
        function()
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _memberships_share_their_data():
    """bench/agreement_pdf.py's company joins without `access_granted_at`, which drafting now
    needs (companies.access); grant it as a registration by the alliance would."""
    from django.db.models.signals import pre_save
    from django.utils import timezone

    from companies.models import Membership

    def grant(sender, instance, **kwargs):
        instance.access_granted_at = instance.access_granted_at or timezone.now()

    pre_save.connect(grant, sender=Membership, weak=False)


def main():
    from bench.agreement_pdf import sealed_agreement, setup_django

    with tempfile.TemporaryDirectory(prefix="ka-bench-seal-") as folder:
        os.environ["PRIVATE_MEDIA_ROOT"] = folder
        database_url = os.environ.get("DATABASE_URL", f"sqlite:///{folder}/bench.sqlite3")
        os.environ.pop("REDIS_URL", None)
        setup_django("klimaalliance.settings.test", database_url)

        from django.conf import settings
        from django.core.files.base import ContentFile
        from django.core.management import call_command
        from pypdf import PdfReader

        from klimaalliance import seal
        from klimaalliance.management.commands.seal_demo_certificate import (
            make_demo_ca,
            make_seal_pkcs12,
            pem,
        )
        from klimaalliance.models import SealCertificate
        from klimaalliance.pdf import html_to_pdf
        from partnerships.documents import render_agreement_html

        settings.PRIVATE_MEDIA_ROOT = folder
        call_command("migrate", verbosity=0)
        _memberships_share_their_data()
        agreement = sealed_agreement(1)
        signatures = list(agreement.signatures.select_related("user"))
        pdf = html_to_pdf(render_agreement_html(agreement, for_pdf=True, signatures=signatures))
        pages = len(PdfReader(io.BytesIO(pdf)).pages)

        ca_key, ca_certificate = make_demo_ca()
        root = Path(folder) / "root.pem"
        root.write_bytes(pem(ca_certificate))
        settings.SEAL_TRUST_ROOTS = [str(root)]
        data = make_seal_pkcs12(ca_key, ca_certificate, common_name="Bench seal")
        certificate = SealCertificate(label="Bench", password_env="")
        certificate.read_certificate(data)
        certificate.pkcs12.save("bench.p12", ContentFile(data), save=False)
        certificate.save()

        sealed = seal.seal_pdf(pdf)
        assert seal.check_seal(sealed).is_valid
        seal_ms = median_ms(lambda: seal.seal_pdf(pdf))
        check_ms = median_ms(lambda: seal.check_seal(sealed))
        print(f"agreement PDF: {pages} pages, {len(pdf)} bytes, sealed {len(sealed)} bytes")
        print(f"seal_pdf median of {RUNS}: {seal_ms:.1f} ms")
        print(f"check_seal median of {RUNS}: {check_ms:.1f} ms")


if __name__ == "__main__":
    main()
