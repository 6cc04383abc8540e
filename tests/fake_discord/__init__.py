"""Test doubles for Discord, so that no test ever reaches it: raw gateway payloads and a
recorder for its HTTP (in process), and a fake of its REST API and gateway (over loopback)."""
