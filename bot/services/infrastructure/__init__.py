"""The inbox of updates, per-conversation turns and retention."""
