"""Test doubles for the Telegram Bot API, so that no test ever reaches Telegram."""

from tests.fake_telegram import errors, updates
from tests.fake_telegram.api import (
    DEFAULT_TOKEN,
    ApiReply,
    FakeBotAPI,
    RecordedCall,
    UploadedFile,
    Webhook,
)
from tests.fake_telegram.fixtures import (
    ApplicationFactory,
    HandlerErrors,
    fail_on_handler_error,
    free_port,
    in_process_bot,
    on_fake,
    process,
    serve_webhook,
)
from tests.fake_telegram.held import HeldRequest
from tests.fake_telegram.inprocess import InProcessRequest
from tests.fake_telegram.rate_limits import RateLimits
from tests.fake_telegram.server import FakeBotAPIServer, WebhookDelivery

__all__ = [
    "DEFAULT_TOKEN",
    "ApiReply",
    "ApplicationFactory",
    "FakeBotAPI",
    "FakeBotAPIServer",
    "HandlerErrors",
    "HeldRequest",
    "InProcessRequest",
    "RateLimits",
    "RecordedCall",
    "UploadedFile",
    "Webhook",
    "WebhookDelivery",
    "errors",
    "fail_on_handler_error",
    "free_port",
    "in_process_bot",
    "on_fake",
    "process",
    "serve_webhook",
    "updates",
]
