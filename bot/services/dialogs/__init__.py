"""The question-and-answer engine, its questions and the button codec."""
