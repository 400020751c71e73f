"""Signals other apps listen to, so companies never imports the apps above it.

`membership_activated(sender=Membership, membership=..., by=...)` is sent inside the
transaction that makes a membership active (`companies.services`); a receiver's writes
commit or roll back with it, and its post-commit work goes through the outbox.
"""

from django.dispatch import Signal

membership_activated = Signal()
