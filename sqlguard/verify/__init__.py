"""sqlguard verify: run migrations up, down and up again in a throwaway PostgreSQL."""
