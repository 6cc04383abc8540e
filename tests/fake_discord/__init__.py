"""Test doubles for Discord, so that no test ever reaches Discord."""
