"""The Discord adapter: parse interactions and events, call the coach, render its replies."""
