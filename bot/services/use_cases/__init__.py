"""What runners and admins can do: one module per use case."""
