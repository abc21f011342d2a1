"""Who is on duty, computed from layers and overrides: across hand-offs, clock changes and holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from centrale.clock import ROME
from centrale.operators.models import Role
from centrale.rota.models import HolidayRule, OverrideKind, RotaLayer, RotaOverride, Rotation
from centrale.rota.schedule import segments, shifts, who_at

A, B, C, D = 1, 2, 3, 4


def rome(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=ROME).astimezone(UTC)


def three_shifts(**kw: object) -> RotaLayer:
    """A, B, C in turn on 08:00, 14:00 and 20:00 (the night to 08:00), from Monday 2 March 2026."""
    fields: dict[str, object] = {
        "id": 1,
        "name": "Coordinamento",
        "role": Role.COORDINATORE,
        "starts_on": date(2026, 3, 2),
        "handoffs": ["08:00", "14:00", "20:00"],
        "weekdays": [],
        "operator_ids": [A, B, C],
    } | kw
    return RotaLayer(**fields)


def test_the_shift_changes_hands_at_the_hand_off_time_in_rome() -> None:
    layer = three_shifts()
    assert who_at([layer], [], rome(2026, 12, 9, 13, 59)) == [A]
    assert who_at([layer], [], rome(2026, 12, 9, 14, 0)) == [B]
    assert who_at([layer], [], rome(2026, 12, 9, 20, 0)) == [C]
    assert who_at([layer], [], rome(2026, 12, 10, 7, 59)) == [C]  # the night shift runs into the next day
    assert who_at([layer], [], rome(2026, 3, 1, 12, 0)) == []  # before the layer's first day


def test_night_shifts_last_eleven_or_thirteen_hours_when_the_clocks_change() -> None:
    layer = three_shifts()
    spring = [s for s in shifts([layer], rome(2026, 3, 28, 21), rome(2026, 3, 28, 22)) if s.operator_id == C]
    assert spring[0].ends_at - spring[0].starts_at == timedelta(hours=11)
    assert spring[0].ends_at == rome(2026, 3, 29, 8)  # 08:00 summer time, 06:00 UTC
    autumn = [s for s in shifts([layer], rome(2026, 10, 24, 21), rome(2026, 10, 24, 22)) if s.operator_id == C]
    assert autumn[0].ends_at - autumn[0].starts_at == timedelta(hours=13)
    assert who_at([layer], [], datetime(2026, 3, 29, 6, 0, tzinfo=UTC)) == [A]  # 08:00 in Rome
    assert who_at([layer], [], datetime(2026, 3, 29, 5, 59, tzinfo=UTC)) == [C]


def test_rotation_by_day_and_by_week() -> None:
    daily = three_shifts(rotation=Rotation.GIORNO, handoffs=["08:00"])
    assert who_at([daily], [], rome(2026, 3, 2, 9)) == [A]
    assert who_at([daily], [], rome(2026, 3, 3, 7)) == [A]
    assert who_at([daily], [], rome(2026, 3, 3, 9)) == [B]
    weekly = three_shifts(rotation=Rotation.SETTIMANA, handoffs=["08:00"], operator_ids=[A, B])
    assert who_at([weekly], [], rome(2026, 3, 8, 12)) == [A]  # Sunday of the first week
    assert who_at([weekly], [], rome(2026, 3, 9, 12)) == [B]


def test_holidays_follow_the_rota_national_and_rome_s_patron_saints() -> None:
    office = three_shifts(
        operator_ids=[A], handoffs=["08:00"], ends_at="18:00", weekdays=[0, 1, 2, 3, 4], holidays=HolidayRule.ESCLUSI
    )
    on_call = three_shifts(id=2, operator_ids=[D], handoffs=["08:00"], ends_at="20:00", holidays=HolidayRule.SOLO)
    layers = [office, on_call]
    assert who_at(layers, [], rome(2026, 6, 26, 10)) == [A]  # Friday 26 June
    assert who_at(layers, [], rome(2026, 6, 29, 10)) == [D]  # Monday 29 June: Santi Pietro e Paolo in Rome
    assert who_at(layers, [], rome(2026, 12, 8, 10)) == [D]  # Tuesday 8 December: Immacolata
    assert who_at(layers, [], rome(2026, 12, 9, 10)) == [A]
    assert who_at(layers, [], rome(2026, 12, 9, 19)) == []  # after office hours, not a holiday
    assert who_at(layers, [], rome(2026, 6, 27, 10)) == []  # Saturday


def override(
    kind: OverrideKind, taker: int, gone: int | None, start: datetime, end: datetime, ident: int
) -> RotaOverride:
    return RotaOverride(
        id=ident, role=Role.COORDINATORE, kind=kind, starts_at=start, ends_at=end, operator_id=taker, replaces_id=gone
    )


def test_covers_and_swaps_change_who_is_on_duty_only_in_their_interval() -> None:
    layer = three_shifts()
    cover = override(OverrideKind.COPERTURA, D, B, rome(2026, 12, 9, 15), rome(2026, 12, 9, 17), 1)
    assert who_at([layer], [cover], rome(2026, 12, 9, 14, 30)) == [B]
    assert who_at([layer], [cover], rome(2026, 12, 9, 15)) == [D]
    assert who_at([layer], [cover], rome(2026, 12, 9, 17)) == [B]
    takes_all = override(OverrideKind.COPERTURA, D, None, rome(2026, 12, 9, 9), rome(2026, 12, 9, 10), 2)
    assert who_at([layer], [takes_all], rome(2026, 12, 9, 9, 30)) == [D]
    swap = override(OverrideKind.SCAMBIO, C, A, rome(2026, 12, 9, 8), rome(2026, 12, 9, 14), 3)
    back = override(OverrideKind.SCAMBIO, A, C, rome(2026, 12, 9, 20), rome(2026, 12, 10, 8), 4)
    assert who_at([layer], [swap, back], rome(2026, 12, 9, 9)) == [C]
    assert who_at([layer], [swap, back], rome(2026, 12, 9, 23)) == [A]
    back.removed_at = rome(2026, 12, 8, 12)
    assert who_at([layer], [swap, back], rome(2026, 12, 9, 23)) == [C]


def test_segments_cut_the_day_where_the_holders_change() -> None:
    layer = three_shifts(operator_ids=[A, A, B])  # A from 08:00 to 20:00: one piece, not two
    pieces = segments([layer], [], rome(2026, 12, 9, 0), rome(2026, 12, 10, 0))
    assert pieces == [
        (rome(2026, 12, 9, 0), rome(2026, 12, 9, 8), [B]),
        (rome(2026, 12, 9, 8), rome(2026, 12, 9, 20), [A]),
        (rome(2026, 12, 9, 20), rome(2026, 12, 10, 0), [B]),
    ]
