"""A python-telegram-bot request backend that answers from a FakeBotAPI, without sockets."""

from __future__ import annotations

from typing import IO
from urllib.parse import urlsplit

from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from tests.fake_telegram.api import FakeBotAPI, UploadedFile
from tests.fake_telegram.errors import NetworkFailure, NetworkFailureKind


class InProcessRequest(BaseRequest):
    """Route each Bot API call of a `telegram.Bot` straight into a `FakeBotAPI`."""

    def __init__(self, api: FakeBotAPI):
        self.api = api

    @property
    def read_timeout(self) -> float | None:
        """There is no socket to time out."""
        return None

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send the call, encoded as PTB encodes it for HTTP, to the fake and return its answer."""
        token, api_method = _split_bot_url(url)
        params = request_data.json_parameters if request_data else {}
        files = request_data.multipart_data if request_data else {}
        try:
            reply = await self.api.request(
                token,
                api_method,
                params,
                {name: _uploaded(part) for name, part in files.items()},
            )
        except NetworkFailure as failure:
            if failure.kind is NetworkFailureKind.TIMEOUT:
                raise TimedOut from failure
            raise NetworkError("Connection dropped by the fake Bot API") from failure
        return reply.status, reply.payload()


def _split_bot_url(url: str) -> tuple[str, str]:
    """Return the token and the method of a `.../bot<token>/<method>` URL."""
    prefix, _, method = urlsplit(url).path.rpartition("/")
    return prefix.rpartition("/bot")[2], method


def _uploaded(part: tuple[str, bytes | IO[bytes], str]) -> UploadedFile:
    """Read one multipart part, given as bytes or as an open file."""
    filename, content, mime_type = part
    data = content if isinstance(content, bytes) else content.read()
    return UploadedFile(filename, data, mime_type)
