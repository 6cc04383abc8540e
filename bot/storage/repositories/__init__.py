"""Repositories: queries and writes over one session; none of them ever commits."""
