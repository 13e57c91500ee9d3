"""SG058: REVOKE takes privileges from roles that running clients connect as
(rules/SG058-revoked-privilege.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic
from sqlguard.model import Revoke
from sqlguard.registry import rule


@rule("SG058", on=Revoke)
def revoked_privilege(change: Revoke, ctx: Context) -> Iterator[Diagnostic]:
    if ctx.in_down(change):
        return  # a rollback takes back what its up granted
    made = [ctx.created_here(name) or ctx.object_created_here(change.object_type, name) for name in change.objects]
    if made and all(made):
        return  # nobody used an object made in this migration
    roles = ", ".join(f'"{role}"' for role in change.grantees)
    if change.role_membership:
        what = "membership in " + ", ".join(f'"{role}"' for role in change.privileges)
        lost = "every privilege it gave"
    else:
        what = (
            ", ".join(p.upper() for p in change.privileges)
            + f" on {change.object_type} "
            + ", ".join(f'"{name}"' for name in change.objects)
        )
        lost = "that access"
    yield ctx.diagnostic(
        change,
        f"revoking {what} from {roles} makes every running client that connects as them and still needs"
        f" {lost} fail with permission denied",
        help="-- first deploy code that no longer needs the privilege, then revoke it in a later migration",
    )
