"""The offline console coach: the same dialogs in a terminal, with numbered choices."""
