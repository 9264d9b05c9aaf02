# Enterprises are edited through the application (scoped, audited); the admin does not expose them.
