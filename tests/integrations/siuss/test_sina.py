"""The SINA block from the scales (docs/SIUSS.md): each item from the right scale, nothing guessed."""

from __future__ import annotations

from centrale.assessments.scales import ScaleKind
from integrations.siuss.sina import (
    ScaleResult,
    area_supporto,
    attivita_vita_quotidiana,
    build_sina,
    disturbi_area_cognitiva,
    mobilita,
)


def barthel(walk: int | None = None, wheel: int | None = None, total: int = 50) -> ScaleResult:
    answers = {"deambulazione": walk} if walk is not None else {"uso_carrozzina": wheel}
    return ScaleResult(kind=ScaleKind.BARTHEL, answers=answers, total=total)


def katz(total: int, moves: int = 1) -> ScaleResult:
    return ScaleResult(kind=ScaleKind.KATZ_ADL, answers={"spostarsi": moves}, total=total)


def test_mobility_from_barthel_walking_or_wheelchair_then_katz():
    assert [mobilita(barthel(walk=w), None) for w in (15, 12, 8, 3, 0)] == ["1", "2", "2", "2", "3"]
    assert [mobilita(barthel(wheel=w), None) for w in (5, 4, 3, 0)] == ["2", "2", "3", "3"]
    assert mobilita(None, katz(4, moves=0)) == "2"
    assert mobilita(None, None) is None


def test_daily_living_from_katz_first_then_barthel():
    assert [attivita_vita_quotidiana(katz(t), None) for t in (6, 3, 0)] == ["1", "2", "3"]
    assert [attivita_vita_quotidiana(None, barthel(walk=15, total=t)) for t in (100, 91, 90, 21, 20)] == [
        "1",
        "1",
        "2",
        "2",
        "3",
    ]


def test_cognition_from_mmse_band_and_support_from_network_and_fnf():
    def mmse(band: str) -> ScaleResult:
        return ScaleResult(kind=ScaleKind.MMSE, answers={}, total=0, band=band)

    assert [disturbi_area_cognitiva(mmse(b)) for b in ("normale", "lieve", "moderato", "grave")] == [
        None,
        "1",
        "2",
        "3",
    ]
    inspire = ScaleResult(kind=ScaleKind.INSPIRE, answers={"FNF": 2}, total=2)
    assert area_supporto(inspire, has_network=True) == "2"
    assert area_supporto(inspire, has_network=False) == "3"
    assert area_supporto(None, has_network=True) is None


def test_stated_items_come_from_the_case_manager_not_from_the_scales():
    sina = build_sina({}, has_network=True, stated={"area_reddituale": "3"}, needed_codes=["A2.07", "A2.07"])
    assert (sina.area_reddituale, sina.disturbi_comportamentali, sina.mobilita) == ("3", None, None)
    assert sina.necessita_interventi_sociali == ["A2.07"]
