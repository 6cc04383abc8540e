"""Bot API error replies and transport failures, raised by the fake or injected by tests."""

from __future__ import annotations

import enum
from typing import Any


class ApiError(Exception):
    """An error reply of the Bot API: `{"ok": false, "error_code": ..., "description": ...}`."""

    def __init__(self, status: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        """Return the JSON body Telegram answers with."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class NetworkFailureKind(enum.Enum):
    """How the connection to the Bot API fails."""

    TIMEOUT = "timeout"
    DISCONNECT = "disconnect"


class NetworkFailure(Exception):
    """The request never gets an answer: it times out, or the connection drops."""

    def __init__(self, kind: NetworkFailureKind):
        super().__init__(f"simulated network failure: {kind.value}")
        self.kind = kind


Failure = ApiError | NetworkFailure


def too_many_requests(retry_after: int) -> ApiError:
    """Return a 429 flood-control error asking to retry after `retry_after` seconds."""
    return ApiError(
        429,
        f"Too Many Requests: retry after {retry_after}",
        {"retry_after": retry_after},
    )


def server_error(status: int = 502, description: str = "Bad Gateway") -> ApiError:
    """Return a 5xx error of the Bot API's front end."""
    return ApiError(status, description)


def blocked_by_user() -> ApiError:
    """Return the 403 a bot gets from a user who blocked it."""
    return ApiError(403, "Forbidden: bot was blocked by the user")


def user_deactivated() -> ApiError:
    """Return the 403 a bot gets from a deleted account."""
    return ApiError(403, "Forbidden: user is deactivated")


def kicked_from_group() -> ApiError:
    """Return the 403 a bot gets from a group it was removed from."""
    return ApiError(403, "Forbidden: bot was kicked from the group chat")


def chat_not_found() -> ApiError:
    """Return the 400 for an unknown chat."""
    return ApiError(400, "Bad Request: chat not found")


def chat_migrated(to_chat_id: int) -> ApiError:
    """Return the 400 for a group that was upgraded to the supergroup `to_chat_id`."""
    return ApiError(
        400,
        "Bad Request: group chat was upgraded to a supergroup chat",
        {"migrate_to_chat_id": to_chat_id},
    )


def timed_out() -> NetworkFailure:
    """Return a failure whose request never gets an answer."""
    return NetworkFailure(NetworkFailureKind.TIMEOUT)


def connection_dropped() -> NetworkFailure:
    """Return a failure whose connection is closed without an answer."""
    return NetworkFailure(NetworkFailureKind.DISCONNECT)
