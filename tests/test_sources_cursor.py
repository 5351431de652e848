"""The descent down a newest-first list to the stored cursor (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.sources.cursor import CursorState, Descent, Mark, Resume, is_newer

T0 = datetime(2019, 8, 31, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def marks(*ids: int) -> list[Mark]:
    """Marks of numeric ids; times grow with ids (one minute apart)."""
    return [Mark(str(i), T0 - timedelta(minutes=100 - i)) for i in ids]


def test_numeric_ids_order_posts_even_when_shown_times_are_fuzzy() -> None:
    fuzzy_late, exact_early = Mark("200", T0 - timedelta(hours=3)), Mark("100", T0)
    assert is_newer(fuzzy_late, exact_early)
    assert is_newer(Mark("b", T0), Mark("a", T0 - DAY))


def test_first_pass_goes_back_to_the_lookback_floor_and_stores_the_newest() -> None:
    descent = Descent(CursorState(), max_pages=10, lookback=DAY)
    step = descent.step(marks(99, 98), {"page": 2}, T0)
    assert step.next == {"page": 2} and step.cursor is not None and step.cursor.resume is not None
    old = [Mark("5", T0 - 2 * DAY)]
    last = descent.step(old, {"page": 3}, T0)
    assert last.next is None and last.gap is None
    assert last.cursor == CursorState(newest=Mark("99", marks(99)[0].at))


def test_next_pass_stops_at_the_page_that_reaches_the_cursor() -> None:
    state = CursorState(newest=marks(90)[0])
    descent = Descent(state, max_pages=10, lookback=DAY)
    first = descent.step(marks(99, 95), {"page": 2}, T0)
    assert first.next == {"page": 2}
    done = descent.step(marks(92, 90, 88), {"page": 3}, T0)
    assert done.next is None and done.cursor is not None
    assert done.cursor.newest == marks(99)[0] and done.cursor.resume is None


def test_interrupted_pass_resumes_by_catching_up_then_jumping_to_where_it_stopped() -> None:
    # An earlier pass covered 99..80 (pages 1-2) and would have asked for page 3 next.
    state = CursorState(newest=marks(50)[0], resume=Resume(marks(99)[0], {"page": 3}))
    descent = Descent(state, max_pages=10, lookback=DAY)
    catching_up = descent.step(marks(104, 103), {"page": 2}, T0)  # new posts; not yet at 99
    assert catching_up.cursor is None and catching_up.next == {"page": 2}
    reached = descent.step(marks(101, 100, 99), {"page": 3}, T0)
    assert reached.next == {"page": 3}  # page numbers shift with new posts: overlap, never skip
    jumped = descent.step(marks(78, 77), {"page": 5}, T0)
    assert jumped.next == {"page": 5}
    assert jumped.cursor is not None and jumped.cursor.resume == Resume(marks(104)[0], {"page": 5})
    done = descent.step(marks(52, 50), {"page": 6}, T0)
    assert done.next is None and done.cursor == CursorState(newest=marks(104)[0])


def test_since_id_resume_jumps_exactly() -> None:
    state = CursorState(newest=marks(10)[0], resume=Resume(marks(60)[0], {"since_id": "41"}))
    descent = Descent(state, max_pages=10, lookback=DAY)
    step = descent.step(marks(70, 62, 60), {"since_id": "59"}, T0)
    assert step.next == {"since_id": "41"}


def test_max_pages_leaves_a_gap_that_the_next_pass_fills() -> None:
    descent = Descent(CursorState(newest=marks(1)[0]), max_pages=2, lookback=DAY)
    descent.step(marks(99, 98), {"page": 2}, T0)
    stopped = descent.step(marks(97, 96), {"page": 3}, T0)
    assert stopped.next is None and stopped.gap is not None and "max_pages=2" in stopped.gap
    assert stopped.cursor is not None and stopped.cursor.resume == Resume(marks(99)[0], {"page": 3})
    again = Descent(CursorState.from_json(stopped.cursor.to_json()), max_pages=5, lookback=DAY)
    assert again.step(marks(100, 99), {"page": 2}, T0).next == {"page": 3}


def test_end_of_results_completes_the_pass() -> None:
    descent = Descent(CursorState(newest=marks(1)[0]), max_pages=10, lookback=DAY)
    step = descent.step(marks(9, 8), None, T0)
    assert step.next is None and step.cursor == CursorState(newest=marks(9)[0])
    empty = Descent(CursorState(), max_pages=10, lookback=DAY).step([], None, T0)
    assert empty.cursor is not None and empty.cursor.newest is None and empty.cursor.floor == T0 - DAY


def test_cursor_json_round_trips_and_garbage_starts_afresh() -> None:
    state = CursorState(newest=marks(5)[0], floor=T0, resume=Resume(marks(9)[0], {"page": 4, "since_id": "x"}))
    assert CursorState.from_json(state.to_json()) == state
    for junk in ("", "{", "[]", '{"newest": {"id": 5}}', '{"resume": {"top": null}}', "null"):
        assert CursorState.from_json(junk) == CursorState()
