"""Role workflows, their steps and validation rules."""
