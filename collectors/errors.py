"""Turn a failed AWS call into a collector outcome: denied or error, with one line of text."""

from __future__ import annotations

from dataclasses import dataclass

import aiohttp
from botocore.exceptions import BotoCoreError, ClientError
from botocore.parsers import ResponseParserError

from auditor.store.scans import OutcomeStatus
from collectors.calls import IncompleteResponseError

# Every shape in which AWS (and moto) says "you may not". moto answers ECS's JSON protocol
# with XML, so botocore only sees the HTTP status as the code ("403").
DENIED_CODES = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "Client.UnauthorizedOperation",
        "UnauthorizedAccess",
        "AuthorizationError",
        "AccessDeniedForDependencyException",
        "403",
    }
)

# Errors collectors catch: anything else is a bug and must surface. ResponseParserError (an
# unreadable AWS answer, after botocore's retries) is botocore's but not a BotoCoreError.
COLLECTOR_ERRORS = (
    ClientError,
    BotoCoreError,
    ResponseParserError,
    aiohttp.ClientError,
    IncompleteResponseError,
)

_MAX_LENGTH = 300


@dataclass(frozen=True)
class Failure:
    status: OutcomeStatus
    error: str
    error_code: str | None


def one_line(message: str) -> str:
    flat = " ".join(message.split())
    return flat if len(flat) <= _MAX_LENGTH else flat[: _MAX_LENGTH - 1] + "…"


def classify(error: BaseException) -> Failure:
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = str(details.get("Code") or "")
        operation = error.operation_name
        message = str(details.get("Message") or "")
        status = OutcomeStatus.DENIED if code in DENIED_CODES else OutcomeStatus.ERROR
        if code.isdigit() and (not message or message.lstrip().startswith("<")):
            # No AWS error document, only an HTTP status (and perhaps an HTML page).
            message = f"HTTP {code} with no AWS error document"
        return Failure(status, one_line(f"{operation}: {code}: {message}".rstrip(": ")), code)
    return Failure(OutcomeStatus.ERROR, one_line(f"{type(error).__name__}: {error}"), None)
