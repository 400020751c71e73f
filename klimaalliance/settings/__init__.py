"""Settings modules, all read from the environment (see the README's configuration table).

- `base`: the default for `manage.py`, `make run` and the Celery worker;
- `production`: `base` plus HTTPS hardening, passes `manage.py check --deploy`;
- `test`: `base` plus speed-ups for pytest.
"""
