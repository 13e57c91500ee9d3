"""`python -m sqlguard.verify`: the verify command on its own, until the main CLI registers it.

Ctrl-C must exit 130 at any moment: before the command runs (imports, option parsing) click would
turn it into "Aborted!" and exit 1, so the interrupt is caught here as well.
"""

import sys

try:
    import click

    from sqlguard.verify.command import verify

    if __name__ == "__main__":
        try:
            verify.main(prog_name="sqlguard verify", standalone_mode=False)
        except click.exceptions.Abort:  # click's wrapping of KeyboardInterrupt while parsing
            sys.exit(130)
        except click.ClickException as exc:
            exc.show()
            sys.exit(exc.exit_code)
except KeyboardInterrupt:
    sys.exit(130)
