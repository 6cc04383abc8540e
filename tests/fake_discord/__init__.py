"""An in-process stand-in for Discord: raw gateway payloads, and a recorder for its HTTP."""
