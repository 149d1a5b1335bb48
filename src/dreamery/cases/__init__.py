"""Cases: what professionals from any organization work on together."""
