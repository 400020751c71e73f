"""Keep secrets and e-mail bodies out of the logs.

Three places could write them, and each is closed here:

* Log records (`ScrubSecrets`, a filter on every handler in `LOGGING` and on Celery's
  handlers): the message, its arguments, the formatted traceback and stack are scrubbed of
  values named like a password, token, secret, CSRF or session key (``password=…``,
  ``'password': ['…']``, ``"token": "…"``, ``Authorization: …``), of the secret parts of
  invitation and password-reset links (Django logs the path of every 404 and 410), and of
  the body of any e-mail (a MIME message or an `EmailMessage` passed as an argument).
* Error reports (`PortalExceptionReporterFilter`, `DEFAULT_EXCEPTION_REPORTER_FILTER`, and
  `ScrubbedAdminEmailHandler` for the mail to ADMINS): Django's filter hides POST fields
  only where a view says `sensitive_post_parameters`; this one also hides every field
  named like a secret, and more settings (connection URLs carry passwords).
* Mail printed to the console (`HeadersOnlyConsoleEmailBackend`): without an SMTP server
  configured, production prints each message's headers but never its body, which holds
  invitation and password-reset links.
"""

import logging
import re

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.utils.log import AdminEmailHandler
from django.views.debug import SafeExceptionReporterFilter

MASK = "********"
BODY_REMOVED = "[e-mail body removed]"

_KEY = (
    r"[\w-]*(?:password|passwd|pwd|token|secret|csrf|api[_-]?key|otp|"
    r"session_?id|session_?key|authorization|cookie)[\w-]*"
)
SENSITIVE_NAME = re.compile(_KEY, re.IGNORECASE)

_PATTERNS = [
    # 'password': ['a', 'b']  (a QueryDict's repr)
    (re.compile(rf"""(['"]{_KEY}['"]\s*:\s*)\[[^\]]*\]""", re.IGNORECASE), rf"\1['{MASK}']"),
    # 'password': 'a'  or  "token": "a"  (dicts, JSON)
    (
        re.compile(rf"""(['"]{_KEY}['"]\s*:\s*)(['"])(?:\\.|(?!\2).)*\2""", re.IGNORECASE),
        rf"\1\2{MASK}\2",
    ),
    # password=a  (query strings, form bodies, keyword reprs)
    (
        re.compile(rf"""\b({_KEY})=(?!{re.escape(MASK)})[^\s&;,'")\]]+""", re.IGNORECASE),
        rf"\1={MASK}",
    ),
    # Authorization: Bearer a  /  Cookie: sessionid=a  (headers, to the end of the line)
    (
        re.compile(r"\b(authorization|cookie|set-cookie)(\s*:\s*)[^\n]+", re.IGNORECASE),
        rf"\1\2{MASK}",
    ),
    # password: a  /  token: a  (plain text)
    (
        re.compile(rf"\b(password|passwd|token|secret)(\s*:\s+)(?!{re.escape(MASK)})\S+", re.I),
        rf"\1\2{MASK}",
    ),
    # The signed token of an invitation link, the uid and token of a password-reset link.
    (re.compile(r"(/invitation/)[^/\s?#'\"]+"), rf"\1{MASK}"),
    (
        re.compile(r"(/password/reset/)(?!sent/|done/)[^/\s?#'\"]+/[^/\s?#'\"]+"),
        rf"\1{MASK}/{MASK}",
    ),
]
_MIME = re.compile(r"^MIME-Version:", re.MULTILINE)


def scrub(text: str) -> str:
    """`text` without secret values, secret link parts and e-mail bodies."""
    if not text:
        return text
    text = _without_mail_bodies(text)
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _without_mail_bodies(text: str) -> str:
    """Keep the headers of a MIME message written into `text`, drop everything after."""
    match = _MIME.search(text)
    if not match:
        return text
    end_of_headers = text.find("\n\n", match.start())
    if end_of_headers < 0:
        return text
    return f"{text[: end_of_headers + 2]}{BODY_REMOVED}"


def _safe_arg(value):
    if isinstance(value, EmailMessage):
        return f"<e-mail to {len(value.recipients())} recipient(s), {BODY_REMOVED}>"
    return value


class ScrubSecrets(logging.Filter):
    """Rewrites each record in place, once, so every handler after it sees it scrubbed."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_secrets_scrubbed", False):
            return True
        args = record.args
        if isinstance(args, tuple):
            args = tuple(_safe_arg(value) for value in args)
        elif isinstance(args, dict):
            args = {key: _safe_arg(value) for key, value in args.items()}
        record.args = args
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log it as it is, scrubbed
            message = f"{record.msg} {record.args!r}"
        record.msg, record.args = scrub(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        record._secrets_scrubbed = True
        return True


def add_to_handlers(logger: logging.Logger) -> None:
    """Put `ScrubSecrets` on every handler of `logger` that does not have it yet."""
    for handler in logger.handlers:
        if not any(isinstance(f, ScrubSecrets) for f in handler.filters):
            handler.addFilter(ScrubSecrets())


class PortalExceptionReporterFilter(SafeExceptionReporterFilter):
    """Django's filter, plus: every POST field named like a secret is hidden in error
    reports whether or not the view declared it, and connection settings are hidden."""

    hidden_settings = re.compile(
        "API|AUTH|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|URL|DSN|LOCATION|BROKER|"
        "RESULT_BACKEND|DATABASE",
        flags=re.IGNORECASE,
    )

    def get_post_parameters(self, request):
        parameters = super().get_post_parameters(request)
        if request is None or not self.is_active(request):
            return parameters
        secret = [name for name in parameters if SENSITIVE_NAME.fullmatch(name)]
        if not secret:
            return parameters
        parameters = parameters.copy()
        for name in secret:
            parameters[name] = self.cleansed_substitute
        return parameters


class ScrubbedAdminEmailHandler(AdminEmailHandler):
    """Django's error mail to ADMINS, its report scrubbed like the logs: the report names
    the request's address, which for an invitation link holds the token."""

    def send_mail(self, subject, message, *args, **kwargs):
        if kwargs.get("html_message"):
            kwargs["html_message"] = scrub(kwargs["html_message"])
        super().send_mail(scrub(subject), scrub(message), *args, **kwargs)


class HeadersOnlyConsoleEmailBackend(ConsoleEmailBackend):
    """The console backend, but only the headers: the body holds links with tokens."""

    def write_message(self, message):
        text = message.message().as_bytes().decode("utf-8", errors="replace")
        headers = text.split("\n\n", 1)[0]
        self.stream.write(f"{headers}\n\n{BODY_REMOVED}\n")
        self.stream.write("-" * 79)
        self.stream.write("\n")
