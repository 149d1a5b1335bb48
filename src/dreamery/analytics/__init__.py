"""Analytics metrics, role dashboards and their widgets."""
