"""Who may do what: sign-in and sessions, the permission check (principal), roles, users, the whitelist, trusted
proxies, sign-in throttling and the change log."""
