"""SG019: a CHECK on a domain is checked against every column of that domain in every table
(rules/SG019-domain-check-constraint.md)."""

from __future__ import annotations

from collections.abc import Iterator

from sqlguard.advice import ident, qualified
from sqlguard.context import Context
from sqlguard.diagnostics import Diagnostic, Edit, Fix
from sqlguard.model import AlterDomainAddConstraint, CreateDomain
from sqlguard.registry import rule
from sqlguard.safe_steps import for_origin


@rule("SG019", on=(AlterDomainAddConstraint, CreateDomain))
def domain_check_constraint(
    change: AlterDomainAddConstraint | CreateDomain, ctx: Context
) -> Iterator[Diagnostic]:
    if isinstance(change, CreateDomain):
        if not change.constraints:
            return
        type_sql = f" AS {change.type.written}" if change.type is not None else ""
        yield ctx.diagnostic(
            change,
            f'domain "{change.name}" has a CHECK: changing it later means ALTER DOMAIN, which checks every '
            "column of the domain in every table while writes to them wait",
            help=for_origin(
                "\n".join(
                    [
                        f"CREATE DOMAIN {qualified(change.name)}{type_sql};",
                        "-- and put the CHECK on each column that uses it:",
                        "ALTER TABLE <table> ADD CONSTRAINT <name> CHECK (...) NOT VALID;",
                    ]
                ),
                change.origin,
            ),
        )
        return
    constraint = change.constraint
    if constraint.kind != "check" or constraint.not_valid:
        return
    name = constraint.name or "<constraint name>"
    fix = None
    validate = f"ALTER DOMAIN {qualified(change.domain)} VALIDATE CONSTRAINT {ident(name)};  -- in a later transaction"
    if change.origin == "sql":
        fix = Fix("Add NOT VALID", (Edit.insert(change.statement_span.end, " NOT VALID"),), safe=False)
        help_sql = ctx.statement_with(change, fix) + "\n" + validate
    else:
        help_sql = validate
    yield ctx.diagnostic(
        change,
        f"ALTER DOMAIN {change.domain} ADD CONSTRAINT checks every column of the domain in every table "
        "while writes to them wait",
        help=for_origin(help_sql, change.origin),
        fix=fix,
    )
