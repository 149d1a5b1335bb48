"""Organizations: the tenants, their members, and the invitations that move people."""
