"""Scoring tables of DOMAIN.md: known item sets give known totals and bands; bad answers name the item."""

from __future__ import annotations

import itertools

import pytest

from centrale.assessments.scales import (
    BARTHEL_ITEMS,
    LAWTON_ITEMS,
    CareIntensity,
    IntensityRule,
    ScaleError,
    ScaleKind,
    care_intensity,
    lawton_order,
    score,
)

BARTHEL_MAX = {item: allowed[-1] for item, allowed in BARTHEL_ITEMS.items()}
BARTHEL_MIN = {item: 0 for item in BARTHEL_ITEMS}


@pytest.mark.parametrize(
    ("answers", "total", "band"),
    [
        (BARTHEL_MAX, 100, "autonomo"),
        (BARTHEL_MIN, 0, "totale"),
        # a moderate profile: 8+4+4+8+10+8+8+12+12+5 = 79
        (
            {
                "alimentazione": 8,
                "bagno": 4,
                "igiene_personale": 4,
                "abbigliamento": 8,
                "continenza_intestinale": 10,
                "continenza_urinaria": 8,
                "uso_gabinetto": 8,
                "trasferimento_letto_sedia": 12,
                "deambulazione": 12,
                "scale": 5,
            },
            79,
            "moderata",
        ),
        (BARTHEL_MAX | {"scale": 8}, 98, "lieve"),
        (BARTHEL_MIN | {"alimentazione": 10, "bagno": 5, "igiene_personale": 5}, 20, "totale"),
        (BARTHEL_MIN | {"alimentazione": 10, "bagno": 5, "igiene_personale": 5, "scale": 2}, 22, "grave"),
    ],
)
def test_barthel_totals_and_bands(answers: dict[str, int], total: int, band: str) -> None:
    result = score(ScaleKind.BARTHEL, answers)
    assert (result.total, result.band) == (total, band)


def test_barthel_wheelchair_variant_replaces_walking() -> None:
    answers = {k: v for k, v in BARTHEL_MAX.items() if k != "deambulazione"} | {"uso_carrozzina": 5}
    result = score(ScaleKind.BARTHEL, answers)
    assert (result.total, result.band) == (90, "moderata")  # 85 for the other nine items + 5 wheelchair
    assert result.detail["variante_carrozzina"] is True
    with pytest.raises(ScaleError) as err:  # 15 is a walking score, not a wheelchair one
        score(ScaleKind.BARTHEL, answers | {"uso_carrozzina": 15})
    assert err.value.item == "uso_carrozzina"
    with pytest.raises(ScaleError) as err:
        score(ScaleKind.BARTHEL, BARTHEL_MAX | {"uso_carrozzina": 5})
    assert err.value.item == "uso_carrozzina"


@pytest.mark.parametrize(
    ("item", "value"),
    [("bagno", 2), ("trasferimento_letto_sedia", 10), ("scale", -1), ("alimentazione", "10")],
)
def test_barthel_rejects_values_outside_the_item_table(item: str, value: object) -> None:
    with pytest.raises(ScaleError) as err:
        score(ScaleKind.BARTHEL, BARTHEL_MAX | {item: value})
    assert err.value.item == item


def test_barthel_missing_item_is_named() -> None:
    answers = dict(BARTHEL_MAX)
    del answers["scale"]
    with pytest.raises(ScaleError) as err:
        score(ScaleKind.BARTHEL, answers)
    assert err.value.item == "scale"


def test_katz_total_and_lost_functions() -> None:
    result = score(
        ScaleKind.KATZ_ADL,
        {"bagno": 0, "vestirsi": 0, "toilette": 1, "spostarsi": 1, "continenza": 1, "alimentazione": 1},
    )
    assert result.total == 4 and result.detail["funzioni_perse"] == 2 and result.band == "2 funzioni perse"
    with pytest.raises(ScaleError) as err:
        score(
            ScaleKind.KATZ_ADL,
            {"bagno": 2, "vestirsi": 0, "toilette": 1, "spostarsi": 1, "continenza": 1, "alimentazione": 1},
        )
    assert err.value.item == "bagno"


@pytest.mark.parametrize(
    ("options", "total"),
    [
        (
            {
                "telefono": 0,
                "acquisti": 0,
                "preparazione_cibo": 0,
                "governo_casa": 0,
                "biancheria": 0,
                "mezzi_trasporto": 0,
                "farmaci": 0,
                "denaro": 0,
            },
            8,
        ),
        (
            {
                "telefono": 3,
                "acquisti": 3,
                "preparazione_cibo": 3,
                "governo_casa": 3,
                "biancheria": 2,
                "mezzi_trasporto": 4,
                "farmaci": 2,
                "denaro": 2,
            },
            0,
        ),
        # telefono option 2 scores 1; acquisti option 1 scores 0; mezzi option 2 scores 1, option 3 scores 0
        (
            {
                "telefono": 2,
                "acquisti": 1,
                "preparazione_cibo": 0,
                "governo_casa": 2,
                "biancheria": 1,
                "mezzi_trasporto": 2,
                "farmaci": 1,
                "denaro": 1,
            },
            6,
        ),
        (
            {
                "telefono": 2,
                "acquisti": 1,
                "preparazione_cibo": 0,
                "governo_casa": 2,
                "biancheria": 1,
                "mezzi_trasporto": 3,
                "farmaci": 1,
                "denaro": 1,
            },
            5,
        ),
    ],
)
def test_lawton_scores_options_by_the_table(options: dict[str, int], total: int) -> None:
    assert score(ScaleKind.LAWTON_IADL, options).total == total


def test_lawton_rejects_an_option_the_item_lacks() -> None:
    answers = {
        "telefono": 0,
        "acquisti": 0,
        "preparazione_cibo": 0,
        "governo_casa": 0,
        "biancheria": 3,
        "mezzi_trasporto": 0,
        "farmaci": 0,
        "denaro": 0,
    }
    with pytest.raises(ScaleError) as err:
        score(ScaleKind.LAWTON_IADL, answers)
    assert err.value.item == "biancheria"


def test_lawton_housekeeping_fifth_option_scores_one() -> None:
    # the fifth option of Lawton & Brody (light daily tasks, not an acceptable level of cleanliness): 1 point
    assert [LAWTON_ITEMS["governo_casa"][code] for code in lawton_order("governo_casa")] == [1, 1, 1, 1, 0]
    none = {"telefono": 3, "acquisti": 3, "preparazione_cibo": 3, "biancheria": 2}
    none |= {"mezzi_trasporto": 4, "farmaci": 2, "denaro": 2, "governo_casa": 3}
    assert score(ScaleKind.LAWTON_IADL, none).total == 0
    assert score(ScaleKind.LAWTON_IADL, none | {"governo_casa": 4}).total == 1


def test_lawton_total_stays_between_zero_and_eight_over_every_combination() -> None:
    items = list(LAWTON_ITEMS)
    totals = {
        score(ScaleKind.LAWTON_IADL, dict(zip(items, choice, strict=True))).total
        for choice in itertools.product(*(range(len(LAWTON_ITEMS[i])) for i in items))
    }
    assert totals == set(range(9))


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (30, "normale"),
        (24, "normale"),
        (23.6, "lieve"),
        (18, "lieve"),
        (17, "moderato"),
        (10, "moderato"),
        (9, "grave"),
        (0, "grave"),
    ],
)
def test_mmse_score_corrected_elsewhere_keeps_its_bands(value: float, band: str) -> None:
    # the only shape of the records made before the raw score was asked: they keep their meaning
    assert score(ScaleKind.MMSE, {"punteggio_corretto": value}).band == band


def mmse(raw: int, age: int, schooling: int) -> dict[str, int]:
    return {"punteggio_grezzo": raw, "eta": age, "anni_scolarita": schooling}


#: (age, years of schooling, raw score, corrected score, band): each correction read by hand from the grid of
#: DOMAIN.md (Magni et al., 1996), added to the raw score, capped to 0–30
MAGNI_CASES = [
    (65, 0, 20, 20.4, "lieve"),  # 65–69 × 0–4: +0.4
    (69, 6, 25, 23.9, "lieve"),  # 65–69 × 5–7: −1.1
    (66, 8, 25, 23.0, "lieve"),  # 65–69 × 8–12: −2.0
    (67, 17, 27, 24.2, "normale"),  # 65–69 × 13–17: −2.8
    (70, 4, 23, 23.7, "lieve"),  # 70–74 × 0–4: +0.7
    (72, 5, 18, 17.3, "moderato"),  # 70–74 × 5–7: −0.7
    (74, 12, 24, 22.4, "lieve"),  # 70–74 × 8–12: −1.6
    (71, 16, 27, 24.7, "normale"),  # 70–74 × 13–17: −2.3
    (79, 3, 9, 10.0, "moderato"),  # 75–79 × 0–4: +1.0
    (75, 7, 24, 23.7, "lieve"),  # 75–79 × 5–7: −0.3
    (78, 10, 22, 21.0, "lieve"),  # 75–79 × 8–12: −1.0
    (76, 13, 30, 28.3, "normale"),  # 75–79 × 13–17: −1.7
    (80, 2, 16, 17.5, "moderato"),  # 80–84 × 0–4: +1.5
    (84, 7, 23, 23.4, "lieve"),  # 80–84 × 5–7: +0.4
    (82, 8, 24, 23.7, "lieve"),  # 80–84 × 8–12: −0.3
    (83, 15, 26, 25.1, "normale"),  # 80–84 × 13–17: −0.9
    (85, 1, 22, 24.2, "normale"),  # 85–89 × 0–4: +2.2
    (86, 5, 22, 23.4, "lieve"),  # 85–89 × 5–7: +1.4
    (89, 12, 23, 23.8, "lieve"),  # 85–89 × 8–12: +0.8
    (88, 14, 9, 9.3, "grave"),  # 85–89 × 13–17: +0.3
    (87, 2, 29, 30.0, "normale"),  # 29 + 2.2 = 31.2, capped to 30
    (65, 17, 2, 0.0, "grave"),  # 2 − 2.8 = −0.8, capped to 0
]


@pytest.mark.parametrize(("age", "schooling", "raw", "corrected", "band"), MAGNI_CASES)
def test_mmse_magni_correction_gives_the_published_corrected_score(
    age: int, schooling: int, raw: int, corrected: float, band: str
) -> None:
    result = score(ScaleKind.MMSE, mmse(raw, age, schooling))
    assert result.detail["punteggio_grezzo"] == raw
    assert result.detail["punteggio_corretto"] == corrected
    assert (result.total, result.band) == (int(corrected), band)
    assert result.detail["fuori_griglia"] is False


@pytest.mark.parametrize(
    ("age", "schooling", "correction"),
    [(92, 3, 2.2), (60, 10, -2.0), (78, 20, -1.7), (95, 22, 0.3)],  # the nearest row / column of the grid
)
def test_mmse_outside_the_grid_uses_the_nearest_cell_and_says_so(age: int, schooling: int, correction: float) -> None:
    result = score(ScaleKind.MMSE, mmse(20, age, schooling))
    assert (result.detail["correzione"], result.detail["fuori_griglia"]) == (correction, True)


@pytest.mark.parametrize(
    ("answers", "item"),
    [
        (mmse(31, 80, 5), "punteggio_grezzo"),
        (mmse(-1, 80, 5), "punteggio_grezzo"),
        ({"punteggio_grezzo": 20.5, "eta": 80, "anni_scolarita": 5}, "punteggio_grezzo"),
        (mmse(20, 80, 31), "anni_scolarita"),
        (mmse(20, 12, 5), "eta"),
        ({"punteggio_grezzo": 20, "eta": 80}, "anni_scolarita"),
        ({"punteggio_corretto": 31}, "punteggio_corretto"),
    ],
)
def test_mmse_bad_answers_are_named(answers: dict[str, object], item: str) -> None:
    with pytest.raises(ScaleError) as err:
        score(ScaleKind.MMSE, answers)
    assert err.value.item == item


def test_inspire_profile_and_priority_areas() -> None:
    result = score(ScaleKind.INSPIRE, {"VRS": 1, "AP": 3, "AS": 2, "ISL": 0, "FNF": 3})
    assert result.total == 9
    assert result.detail["profile"] == {"VRS": 1, "AP": 3, "AS": 2, "ISL": 0, "FNF": 3}
    assert result.detail["priority_areas"] == ["AP", "FNF"]
    with pytest.raises(ScaleError) as err:
        score(ScaleKind.INSPIRE, {"VRS": 1, "AP": 4, "AS": 2, "ISL": 0, "FNF": 3})
    assert err.value.item == "AP"


def test_configured_bands_replace_the_defaults() -> None:
    bands = {ScaleKind.BARTHEL: ((0, 50, "dipendente"), (51, 100, "indipendente"))}
    assert score(ScaleKind.BARTHEL, BARTHEL_MAX, bands).band == "indipendente"


@pytest.mark.parametrize(
    ("barthel", "areas", "network", "expected"),
    [
        (40, None, True, CareIntensity.ALTA),
        (41, None, True, CareIntensity.MEDIA),
        (90, None, True, CareIntensity.MEDIA),
        (91, None, True, CareIntensity.BASSA),
        (95, {"VRS": 3, "AP": 0, "AS": 0, "ISL": 0, "FNF": 0}, False, CareIntensity.ALTA),
        (95, {"VRS": 3, "AP": 0, "AS": 0, "ISL": 0, "FNF": 0}, True, CareIntensity.MEDIA),
        (None, {"VRS": 2, "AP": 1, "AS": 0, "ISL": 0, "FNF": 0}, True, CareIntensity.MEDIA),
        (None, {"VRS": 1, "AP": 1, "AS": 0, "ISL": 0, "FNF": 0}, False, CareIntensity.BASSA),
    ],
)
def test_care_intensity_default_rule(
    barthel: int | None, areas: dict[str, int] | None, network: bool, expected: CareIntensity
) -> None:
    assert care_intensity(barthel=barthel, inspire=areas, has_support_network=network) == expected


def test_care_intensity_rule_is_configurable() -> None:
    rule = IntensityRule(alta_barthel_max=60)
    assert care_intensity(barthel=55, inspire=None, has_support_network=True, rule=rule) == CareIntensity.ALTA
