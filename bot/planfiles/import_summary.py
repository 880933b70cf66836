"""What `actionbot import` tells the person: columns read, what changed, what was not read.

Plain functions from a PlanFile and its ImportReport to lines of text, so the CLI only prints.
"""

from __future__ import annotations

from bot.planfiles.apply import ImportReport
from bot.planfiles.model import PlanFile

_SHOW = 12  # codes listed before "and N more"


def _codes(codes: list[str]) -> str:
    shown = ", ".join(codes[:_SHOW])
    return shown + (f", and {len(codes) - _SHOW} more" if len(codes) > _SHOW else "")


def mapping_lines(plan_file: PlanFile) -> list[str]:
    """How each distinct header row was read (seed 000 has three: Responsibility, Agency, rollup)."""
    lines: list[str] = []
    for number, mapping in enumerate(plan_file.mappings, 1):
        title = "Columns" if len(plan_file.mappings) == 1 else f"Columns (header variant {number})"
        lines.append(f"{title}:")
        lines.extend(f"  {line}" for line in mapping)
    if lines:
        lines.append('  (change with --map "Column=field"; fields: code, title, responsibility, due, original_due, '
                     'update, progress, state, rag, direction, priority, recommendation, group, section, raised, '
                     'ignore)')
    return lines


def summary_lines(plan_file: PlanFile, report: ImportReport, *, verbose: bool) -> list[str]:
    """The outcome, notes and rollup differences (problems are printed separately, to stderr)."""
    verb = "Would import" if report.dry_run else "Imported"
    lines = [f"{verb} '{report.plan}' from {plan_file.source or 'the file'}: {report.created} new, "
             f"{report.updated} updated, {report.unchanged} unchanged actions."]
    lines.append(accounting_line(plan_file, report))
    if report.restored_codes:
        lines.append(f"  back in the plan (listed again): {_codes(report.restored_codes)}")
    if report.missing_codes:
        if report.pruned:
            lines.append(f"No longer in the file, {'would be ' if report.dry_run else ''}removed from the plan "
                         f"({len(report.missing_codes)}): {_codes(report.missing_codes)}. Their history is kept; "
                         f"re-import a file that lists them, or `actionbot restore CODE`, to bring them back.")
        else:
            lines.append(f"No longer in the file, still in the plan ({len(report.missing_codes)}): "
                         f"{_codes(report.missing_codes)}. Re-import with --prune to remove them from the plan.")
    if verbose and report.created_codes:
        lines.append(f"  new: {_codes(report.created_codes)}")
    if report.updated_codes:
        changed = [f"{code} ({', '.join(report.updated_fields.get(code, []))})" for code in report.updated_codes]
        lines.append(f"  {'would change' if report.dry_run else 'changed'}: {_codes(changed)}")
    notes = report.notes if verbose else report.notes[:_SHOW]
    joined_and_skipped = [*plan_file.joined, *plan_file.skipped]
    shown = joined_and_skipped if verbose else joined_and_skipped[:_SHOW]
    lines.extend(f"  row: {note}" for note in shown)
    if len(shown) < len(joined_and_skipped):
        lines.append(f"  ... and {len(joined_and_skipped) - len(shown)} more rows joined or skipped "
                     f"(--dry-run lists them all).")
    lines.extend(f"  note: {note}" for note in notes)
    if len(notes) < len(report.notes):
        lines.append(f"  ... and {len(report.notes) - len(notes)} more notes (--dry-run lists them all).")
    if report.rollup_differences:
        lines.append(f"The file's own section rollups differ from those its actions give "
                     f"({len(report.rollup_differences)}):")
        lines.extend(f"  {difference}" for difference in report.rollup_differences)
    elif plan_file.has_reported_rollups:
        lines.append("The file's own section rollups match those its actions give.")
    return lines


def accounting_line(plan_file: PlanFile, report: ImportReport) -> str:
    """How every data row of the file was read; the parts add up to the data rows."""
    parts = [f"{len(plan_file.rows)} actions"]
    if plan_file.joined:
        parts.append(f"{len(plan_file.joined)} joined to the action above")
    if plan_file.rollup_lines:
        parts.append(f"{len(plan_file.rollup_lines)} the file's own section rollups")
    if plan_file.skipped:
        parts.append(f"{len(plan_file.skipped)} skipped as not actions")
    parts.append(f"{plan_file.refused_rows} not imported (listed below)" if plan_file.refused_rows else "none refused")
    return f"  {plan_file.data_rows} data rows: {', '.join(parts)}."


def problem_lines(report: ImportReport) -> list[str]:
    lines = [f"  {problem}" for problem in report.problems]
    if report.problems and (report.created or report.updated or report.unchanged):
        lines.append(f"{len(report.problems)} row(s) could not be read and were not imported; the rest "
                     f"{'would be' if report.dry_run else 'were'}.")
    return lines
