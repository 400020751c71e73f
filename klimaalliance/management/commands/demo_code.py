"""Print the current two-factor code of the demo staff (`seed_demo` with DEBUG on)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP

from klimaalliance.two_factor import DEMO_TOTP_KEY


class Command(BaseCommand):
    help = "Print the current two-factor code for the demo staff accounts (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError(
                "Development only (DEBUG=1): real accounts have their own secrets, "
                "and the demo secret is never given to an account without DEBUG."
            )
        totp = TOTP(bytes.fromhex(DEMO_TOTP_KEY))
        totp.time = time.time()
        left = 30 - int(totp.time) % 30
        self.stdout.write(f"{totp.token():06d}  (valid for {left} more seconds)")
