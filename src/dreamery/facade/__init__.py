"""The parts of `dreamery.DatabaseService`, one per domain: the facade's typed methods, each
a thin call of its domain's operation in a unit of work (see `base`)."""
