"""Turning a typed code into exactly one action or section, with answers a person can act on."""

from __future__ import annotations

from bot.context import HandlerContext
from bot.domain import codes
from bot.domain.model import Action, Section
from bot.domain.progress import UpdateRefused


def resolve_action(ctx: HandlerContext, typed: str) -> Action:
    """The one action a typed code means, or UpdateRefused saying what was wrong."""
    found: list[Action] = ctx.uow.actions.find(typed, plan=ctx.plan)
    if not found and ctx.plan is not None:
        # Bound to a plan but the code is only elsewhere: still find it, full codes especially.
        found = ctx.uow.actions.find(typed)
    if len(found) == 1:
        return found[0]
    if len(found) > 1:
        listed = "; ".join(f"{a.code} ({a.plan})" for a in found[:8])
        raise UpdateRefused(
            f"'{typed}' matches {len(found)} actions: {listed}. Type the full code to say which."
        )
    suggestions = codes.nearest(typed, ctx.uow.actions.all_codes(plan=ctx.plan))
    hint = f" Did you mean {', '.join(suggestions)}?" if suggestions else ""
    if _is_section(ctx, typed):
        hint = f" {typed} is a section; its actions include {', '.join(suggestions)}. For the section, type `summary {codes.section_number(typed)}`."
    raise UpdateRefused(f"I can't find an action with the code '{typed}'.{hint} Nothing was changed.")


def _is_section(ctx: HandlerContext, typed: str) -> bool:
    number = codes.section_number(typed)
    return any(codes.section_number(s.code) == number for s in ctx.uow.plans.sections(ctx.plan))


def resolve_section(ctx: HandlerContext, typed: str) -> list[Section]:
    """Sections whose code matches `2.5`, `AP2.5` or `HSCM COMM AP2.5` (whole keys only)."""
    number = codes.section_number(typed)
    sections: list[Section] = ctx.uow.plans.sections(ctx.plan)
    found = [s for s in sections if codes.section_number(s.code) == number]
    if not found:
        known = ", ".join(s.code for s in sections[:20]) or "none yet - import a plan first"
        raise UpdateRefused(f"There is no section '{typed}'. Sections: {known}.")
    return found
