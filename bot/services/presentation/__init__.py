"""Platform-neutral words, tables, charts and calendar files."""
