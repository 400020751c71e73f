import pytest


@pytest.fixture(autouse=True)
def _public_changes_show_at_once(monkeypatch):
    """The API is cached under the public data version, which a change bumps once its
    transaction commits; a test's transaction never commits, so bump at once instead."""
    from klimaalliance import caching

    monkeypatch.setattr(
        caching, "bump_after_commit", lambda using=None: caching.bump_public_version()
    )
