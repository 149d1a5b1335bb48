"""Document templates, their variables, and filled-in instances."""
