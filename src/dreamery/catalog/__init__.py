"""The professional catalogue (roles.toml), the permission matrix and starter content."""
