"""Tasks and their reminders."""
