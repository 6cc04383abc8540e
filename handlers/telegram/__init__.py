"""The Telegram adapter: parse updates, call the coach, render its replies."""
