"""``python -m sqlguard`` is the same as the ``sqlguard`` console script."""

from sqlguard.cli import main

main()
