"""Users and their professional profiles."""
