"""Trackers shaped as boards, audit committees and councils keep them (issue 16, items 1, 3, 4, 6)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.domain.model import State
from tests.planfiles.trackers import AUDIT_HEADER, AUDIT_ROWS, accounted, read_one, write_csv, write_workbook


def test_an_internal_audit_actions_log_imports_every_row(tmp_path: Path) -> None:
    path = write_workbook(tmp_path / "audit.xlsx", [["Internal Audit Recommendations Tracker"], AUDIT_HEADER,
                                                     *AUDIT_ROWS], title="Tracker")

    plan_file = read_one(path)

    assert plan_file.problems == []
    assert [r.code for r in plan_file.rows] == ["IA23/01", "IA23/02", "IA23/03", "IA23/04"]
    register, waivers, training, policy = plan_file.rows
    # The management action is the title; the recommendation and priority are kept.
    assert (register.title, register.recommendation, register.priority) == (
        "Create and publish a contracts register", "Keep a contracts register", "High")
    assert register.responsibility == "Director of Finance"
    # "Date added" is never the due date: the revised date is due, the original kept beside it.
    assert (register.original_due_date, register.due_date) == (date(2023, 9, 30), date(2024, 3, 31))
    assert (waivers.original_due_date, waivers.due_date) == (date(2023, 12, 31), date(2023, 12, 31))
    # Status words read as our states; completed with no % is 100%.
    assert (register.state, register.progress) == (State.COMPLETED, 100)
    assert (waivers.state, training.state, policy.state) == (State.IN_PROGRESS, State.NOT_STARTED, State.CANCELLED)
    # A Progress column of sentences is the latest update, not a refused percentage.
    assert register.update == "Register published on the intranet in March."
    assert waivers.update == "Two of four reports made"
    # No sections anywhere: one section holds the plan.
    assert {r.section_code for r in plan_file.rows} == {"1"}
    assert [(s.code, s.title) for s in plan_file.sections] == [("1", "Actions")]
    assert plan_file.data_rows == 4 == accounted(plan_file)


def test_sub_actions_under_one_merged_ref_get_lettered_codes(tmp_path: Path) -> None:
    rows = [
        ["Business Plan 2024/25"],
        ["Ref", "Objective", "Action", "Lead Officer", "Target date", "RAG"],
        [1, "Workforce", "Recruit to vacant posts", "HR Manager", "Mar-25", "G"],
        [2, "Quality", "Agree the quality framework", "Head of Quality", "Sep-24", "A"],
        [None, None, "Train staff on the framework", None, None, "R"],
        [None, None, "Audit use of the framework", "Quality Lead", "Dec-24", "G"],
        [3, "Quality", "Publish the annual quality report", "Head of Quality", "Jun-24", "Blue"],
    ]
    path = write_workbook(tmp_path / "business.xlsx", rows, merge=["A4:A6", "B4:B6"])

    plan_file = read_one(path)

    assert plan_file.problems == []
    assert [(r.code, r.title) for r in plan_file.rows] == [
        ("1", "Recruit to vacant posts"), ("2a", "Agree the quality framework"),
        ("2b", "Train staff on the framework"), ("2c", "Audit use of the framework"),
        ("3", "Publish the annual quality report")]
    subs = {r.code: r for r in plan_file.rows}
    # A sub-action with blank cells beside a merged one takes them from the row above.
    assert (subs["2b"].responsibility, subs["2b"].due_date) == ("Head of Quality", date(2024, 9, 30))
    assert (subs["2c"].responsibility, subs["2c"].due_date) == ("Quality Lead", date(2024, 12, 31))
    # The Objective column groups actions into sections, in order of first appearance.
    assert [(s.code, s.title) for s in plan_file.sections] == [("1", "Workforce"), ("2", "Quality")]
    assert [r.section_code for r in plan_file.rows] == ["1", "2", "2", "2", "2"]
    # RAG letters are the file's own RAG.
    assert [r.rag for r in plan_file.rows] == ["Green", "Amber", "Red", "Green", "Blue"]
    assert "2 sub-action(s) are listed under 2 with no ref of their own; they are 2a, 2b, 2c." in " ".join(
        map(str, plan_file.notes))
    assert plan_file.data_rows == 5 == accounted(plan_file)


def test_a_board_follow_up_table_is_one_action_per_row(tmp_path: Path) -> None:
    rows = [
        ["Board Action Log"],
        ["Meeting", "Item", "Action / Progress", "Outcome"],
        ["14 March 2024", "7. Finance report", "Circulate the revised budget", "Completed"],
        ["14 March 2024", "7. Finance report", "Bring the savings plan to the May board", "Ongoing"],
        ["14 March 2024", "9. Quality", "Share the inspection findings with staff", "Closed"],
        ["16 May 2024", "4. Workforce", "Report turnover by team", "Not started"],
        ["16 May 2024", "4. Workforce", "Review exit interviews", ""],
        ["16 May 2024", "5. Risk", "Update the risk register", "Proposed for closure"],
        ["16 May 2024", "5. Risk", "Add the cyber risk", "Withdrawn"],
        ["16 May 2024", "6. Estates", "Survey the car park", "Done"],
        ["16 May 2024", "6. Estates", "Cost the new roof", "In progress"],
        ["16 May 2024", "8. AOB", "Write to the council about parking", "Achieved"],
    ]
    path = write_csv(tmp_path / "board.csv", rows)

    plan_file = read_one(path)

    assert plan_file.problems == []
    assert len(plan_file.rows) == 10  # never "10 rows as one action"
    assert [r.title for r in plan_file.rows][:2] == ["Circulate the revised budget",
                                                      "Bring the savings plan to the May board"]
    # The Item column groups; its own numbers are the section codes. The meeting date is never a due date.
    assert [(s.code, s.title) for s in plan_file.sections] == [
        ("4", "Workforce"), ("5", "Risk"), ("6", "Estates"), ("7", "Finance report"), ("8", "AOB"), ("9", "Quality")]
    assert all(r.due_date is None for r in plan_file.rows)
    by_title = {r.title: r for r in plan_file.rows}
    assert by_title["Update the risk register"].proposed_for_closure
    assert by_title["Add the cyber risk"].state is State.CANCELLED
    assert (by_title["Survey the car park"].state, by_title["Survey the car park"].progress) == (State.COMPLETED, 100)
    assert by_title["Review exit interviews"].state is None
    assert plan_file.data_rows == 10 == accounted(plan_file)


def test_a_board_tracker_with_a_narrative_status_and_dotted_refs(tmp_path: Path) -> None:
    rows = [
        ["Ref", "Action", "Lead", "Due date", "Status"],
        ["4.7", "Review the complaints policy", "Director of Nursing", "31.03.24",
         "Policy reviewed and approved by the board in March; now published."],
        ["5.2", "Report on agency spend", "Director of Finance", "Jun-24", "Complete - report taken in May"],
        ["6.1", "Set up a patient panel", "Chief Executive", "30/09/24", "Green"],
        ["12", "Publish the annual report", "Company Secretary", "Quarterly", "Wibble"],
    ]
    path = write_csv(tmp_path / "tracker.csv", rows)

    plan_file = read_one(path)

    assert plan_file.problems == []
    policy, agency, panel, annual = plan_file.rows
    # Dotted refs that do not number sections stay in one section, not a section each.
    assert {r.section_code for r in plan_file.rows} == {"1"}
    # The narrative is the latest update; a leading status word still sets the state.
    assert (policy.state, policy.update) == (None, "Policy reviewed and approved by the board in March; now published.")
    assert (agency.state, agency.progress, agency.update) == (State.COMPLETED, 100, "Complete - report taken in May")
    assert (panel.rag, panel.state) == ("Green", None)
    # Dates as trackers write them; a recurring timescale is kept as one.
    assert (policy.due_date, agency.due_date, panel.due_date) == (date(2024, 3, 31), date(2024, 6, 30),
                                                                  date(2024, 9, 30))
    assert (annual.due_date, annual.recurring) == (None, "Quarterly")
    # A word we do not know is kept and reported, never dropped.
    assert annual.file_status == "Wibble"
    assert any("status 'Wibble' is not a word I know" in str(n) for n in plan_file.notes)


def test_codes_that_number_their_sections_still_make_sections(tmp_path: Path) -> None:
    rows = [["Code", "Action Title", "Due Date"]] + [[f"AP{s}.{n}", f"Task {s}.{n}", "31-Mar-2025"]
                                                      for s in (1, 2) for n in (1, 2, 3)]
    plan_file = read_one(write_csv(tmp_path / "plan.csv", rows))

    assert [s.code for s in plan_file.sections] == ["1", "2"]


def test_a_repeated_ref_gets_suffixes_and_every_row_is_kept(tmp_path: Path) -> None:
    rows = [["Ref", "Action", "Lead"], ["7", "First thing", "A"], ["8", "Other", "B"], ["7", "Second thing", "C"]]
    plan_file = read_one(write_csv(tmp_path / "plan.csv", rows))

    assert [r.code for r in plan_file.rows] == ["7a", "8", "7b"]
    assert "the ref 7 is used on 2 rows (lines 2, 4); they are 7a, 7b." in " ".join(map(str, plan_file.notes))


def test_every_refusal_names_its_row_and_the_counts_add_up(tmp_path: Path) -> None:
    rows = [
        ["Ref", "Action", "Lead", "% complete"],
        ["1", "Good row", "A", "50%"],
        ["2", "Bad percent", "A", "140%"],
        ["", "", "A", ""],  # an owner alone: not an action, skipped and listed
        ["", "", "B", "20%"],  # an owner and a percent: neither a code nor a title, refused
        ["3", "Another good row", "B", "10"],
    ]
    plan_file = read_one(write_csv(tmp_path / "plan.csv", rows))

    assert [r.code for r in plan_file.rows] == ["1", "3"]
    assert [str(p).split(":")[0] for p in plan_file.problems] == ["line 3", "line 5"]
    assert "140%" in str(plan_file.problems[0]) and "neither a code nor an action title" in str(plan_file.problems[1])
    assert [str(n) for n in plan_file.skipped] == ["line 4: 'A' is a lone cell under the table, not an action; skipped."]
    assert plan_file.data_rows == 5 == accounted(plan_file)


def test_heading_rows_between_the_rows_make_sections(tmp_path: Path) -> None:
    rows = [["Ref", "Action", "Lead"], ["Theme 1: Workforce"], ["W1", "Recruit", "HR"], ["W2", "Retain", "HR"],
            ["Objective 2 - Safer care"], ["S1", "Audit falls", "Nursing"]]
    plan_file = read_one(write_workbook(tmp_path / "plan.xlsx", rows))

    assert [(s.code, s.title) for s in plan_file.sections] == [("1", "Workforce"), ("2", "Safer care")]
    assert [r.section_code for r in plan_file.rows] == ["1", "1", "2"]
    assert plan_file.data_rows == 3 == accounted(plan_file)
