"""`python -m sqlguard.verify`: the verify command on its own, until the main CLI registers it."""

from sqlguard.verify.command import verify

if __name__ == "__main__":
    verify(prog_name="sqlguard verify")
