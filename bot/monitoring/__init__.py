"""What an operator watches: readiness checks and Prometheus metrics, built by
``bot.bootstrap`` and served by ``handlers/health.py``."""
