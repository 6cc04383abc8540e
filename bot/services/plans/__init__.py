"""The stored training plan and reminder plan, rebuilt from the core."""
