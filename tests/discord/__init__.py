"""The Discord adapter, run in process on the recorder."""
