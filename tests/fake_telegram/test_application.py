"""python-telegram-bot Applications on the fake: in process, by polling and by webhook."""

import httpx
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from tests.fake_telegram import (
    FakeBotAPIServer,
    WebhookDelivery,
    fail_on_handler_error,
    on_fake,
    process,
    serve_webhook,
    updates,
)

ADA = updates.user()
KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton("Done", callback_data="done")]])


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    assert update.effective_user is not None
    await update.effective_message.reply_text(
        f"Welcome, {update.effective_user.first_name}!", reply_markup=KEYBOARD
    )


async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer("Saved")
    await query.edit_message_text(f"Marked {query.data}")


def coach_handlers(application) -> None:
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CallbackQueryHandler(pressed))


async def test_command_handler_replies_in_process(fake_api, make_application):
    application = await make_application(coach_handlers)

    await process(application, updates.text_message(text="/start", from_user=ADA))

    reply = fake_api.last_message(ADA["id"])
    assert reply["text"] == "Welcome, Ada!"
    assert reply["reply_markup"] == KEYBOARD.to_dict()


async def test_callback_query_is_answered_and_the_message_edited(fake_api, make_application):
    application = await make_application(coach_handlers)
    await process(application, updates.text_message(text="/start", from_user=ADA))
    question = fake_api.last_message(ADA["id"])

    await process(application, updates.callback_query(message=question, data="done"))

    answer = fake_api.calls("answerCallbackQuery")[-1]
    assert answer.params["text"] == "Saved"
    assert fake_api.sent_texts(ADA["id"]) == ["Marked done"]


async def test_a_crashing_handler_is_recorded_not_swallowed(fake_api):
    async def crash(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError("boom")

    application = on_fake(Application.builder(), fake_api).build()
    handler_errors = fail_on_handler_error(application)
    application.add_handler(CommandHandler("start", crash))
    async with application:
        await process(application, updates.text_message(text="/start"))

    with pytest.raises(AssertionError, match="boom"):
        handler_errors.assert_none()


async def test_polling_over_http(fake_api, fake_server, make_application):
    application = await make_application(coach_handlers, server=fake_server)
    assert application.updater is not None
    await application.updater.start_polling(timeout=1)
    await application.start()

    fake_api.push_update(updates.text_message(text="/start", from_user=ADA))

    reply = await fake_api.wait_for_message(ADA["id"], within=10)
    assert reply["text"] == "Welcome, Ada!"
    assert fake_api.calls("deleteWebhook")


async def test_webhook_over_http(fake_api, fake_server: FakeBotAPIServer, make_application):
    application = await make_application(coach_handlers, server=fake_server)
    await serve_webhook(application, secret_token="s3cret-token")
    assert fake_api.webhook is not None
    assert fake_api.webhook.secret_token == "s3cret-token"

    update = fake_api.push_update(updates.text_message(text="/start", from_user=ADA))

    reply = await fake_api.wait_for_message(ADA["id"], within=10)
    assert reply["text"] == "Welcome, Ada!"
    await fake_server.drain()
    assert fake_server.deliveries == [WebhookDelivery(update["update_id"], 200)]
    assert await fake_server.post_to_webhook(update, secret_token="wrong") == 403


async def test_http_server_speaks_json_and_refuses_wrong_tokens(fake_api, fake_server):
    async with httpx.AsyncClient(base_url=fake_server.base_url, trust_env=False) as client:
        sent = await client.post(
            f"/bot{fake_api.token}/sendMessage",
            json={"chat_id": 7, "text": "hi", "reply_markup": KEYBOARD.to_dict()},
        )
        wrong = await client.get("/bot1:nope/getMe")
        unknown = await client.post(f"/bot{fake_api.token}/sendTelepathy")

    assert sent.json()["result"]["reply_markup"] == KEYBOARD.to_dict()
    assert (wrong.status_code, wrong.json()["description"]) == (401, "Unauthorized")
    assert unknown.json() == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
