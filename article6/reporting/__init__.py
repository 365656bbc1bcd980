"""Article 7 transparency reporting: which reports are due, which came in, and when."""
