"""Sign-in: password hashing and policy, access and refresh tokens, brute-force throttling."""
