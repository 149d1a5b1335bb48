"""Compliance requirements, users' records of them, and evidence."""
