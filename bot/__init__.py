"""Trail Strength Coach: a strength coach for trail runners and running clubs."""
