"""Scoring tables of DOMAIN.md: known item sets give known totals and bands; bad answers name the item."""

from __future__ import annotations

import pytest

from centrale.assessments.scales import (
    BARTHEL_ITEMS,
    CareIntensity,
    IntensityRule,
    ScaleError,
    ScaleKind,
    care_intensity,
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
def test_mmse_bands(value: float, band: str) -> None:
    assert score(ScaleKind.MMSE, {"punteggio_corretto": value}).band == band


def test_mmse_out_of_range_is_named() -> None:
    with pytest.raises(ScaleError) as err:
        score(ScaleKind.MMSE, {"punteggio_corretto": 31})
    assert err.value.item == "punteggio_corretto"


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
