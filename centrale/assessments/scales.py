"""Scoring of the INSPIRE areas and the standard scales, exactly as DOMAIN.md gives them.

Each scale is a table of items with their allowed answers; scoring checks every answer against the
table (``ScaleError`` names the item) and returns the total and the band. Bands and the care-intensity
rule are configurable: defaults here, overridable by the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class ScaleKind(StrEnum):
    INSPIRE = "INSPIRE"
    BARTHEL = "BARTHEL"
    KATZ_ADL = "KATZ_ADL"
    LAWTON_IADL = "LAWTON_IADL"
    MMSE = "MMSE"


class CareIntensity(StrEnum):
    ALTA = "ALTA"
    MEDIA = "MEDIA"
    BASSA = "BASSA"


class ScaleError(ValueError):
    """An answer that the scale does not allow; ``item`` names it."""

    def __init__(self, item: str, message: str) -> None:
        super().__init__(f"{item}: {message}")
        self.item = item


INSPIRE_AREAS = ("VRS", "AP", "AS", "ISL", "FNF")
INSPIRE_LABELS = {
    "VRS": "Vita di relazione, socializzazione, sostegno educativo",
    "AP": "Autonomia personale",
    "AS": "Autonomia sociale",
    "ISL": "Integrazione socio-lavorativa",
    "FNF": "Fragilità del nucleo familiare",
}

#: Barthel modified (Shah): item -> allowed scores (deambulazione and uso_carrozzina are alternatives)
BARTHEL_ITEMS: dict[str, tuple[int, ...]] = {
    "alimentazione": (0, 2, 5, 8, 10),
    "bagno": (0, 1, 3, 4, 5),
    "igiene_personale": (0, 1, 3, 4, 5),
    "abbigliamento": (0, 2, 5, 8, 10),
    "continenza_intestinale": (0, 2, 5, 8, 10),
    "continenza_urinaria": (0, 2, 5, 8, 10),
    "uso_gabinetto": (0, 2, 5, 8, 10),
    "trasferimento_letto_sedia": (0, 3, 8, 12, 15),
    "deambulazione": (0, 3, 8, 12, 15),
    "scale": (0, 2, 5, 8, 10),
}
BARTHEL_WHEELCHAIR = ("uso_carrozzina", (0, 1, 3, 4, 5))  # for who does not walk, instead of deambulazione

KATZ_ITEMS = ("bagno", "vestirsi", "toilette", "spostarsi", "continenza", "alimentazione")

#: Lawton IADL: item -> the score of each option by its code (answers are these codes, from 0). A code
#: never changes meaning once stored: housekeeping's fifth option (light daily tasks without an acceptable
#: level of cleanliness, 1) came later and has code 4; LAWTON_ORDER shows it in Lawton & Brody's place.
LAWTON_ITEMS: dict[str, tuple[int, ...]] = {
    "telefono": (1, 1, 1, 0),
    "acquisti": (1, 0, 0, 0),
    "preparazione_cibo": (1, 0, 0, 0),
    "governo_casa": (1, 1, 1, 0, 1),
    "biancheria": (1, 1, 0),
    "mezzi_trasporto": (1, 1, 1, 0, 0),
    "farmaci": (1, 0, 0),
    "denaro": (1, 1, 0),
}
#: the order in which Lawton & Brody list the options, as codes; items not named here list them 0, 1, 2...
LAWTON_ORDER: dict[str, tuple[int, ...]] = {
    # keeps house alone or with occasional help; light daily tasks; light tasks without an acceptable
    # level of cleanliness; needs help with every maintenance task; takes no part (1, 1, 1, 1, 0)
    "governo_casa": (0, 1, 4, 2, 3),
}


def lawton_order(item: str) -> tuple[int, ...]:
    """The option codes of a Lawton item in the published order."""
    return LAWTON_ORDER.get(item, tuple(range(len(LAWTON_ITEMS[item]))))


Band = tuple[int, int, str]  # lowest total, highest total, label

DEFAULT_BANDS: dict[ScaleKind, tuple[Band, ...]] = {
    ScaleKind.BARTHEL: (
        (0, 20, "totale"),
        (21, 60, "grave"),
        (61, 90, "moderata"),
        (91, 99, "lieve"),
        (100, 100, "autonomo"),
    ),
    ScaleKind.MMSE: ((0, 9, "grave"), (10, 17, "moderato"), (18, 23, "lieve"), (24, 30, "normale")),
}


@dataclass(frozen=True)
class Score:
    total: int
    band: str | None
    detail: dict[str, object] = field(default_factory=dict)


def _int_answer(item: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ScaleError(item, f"la risposta deve essere un numero intero / must be an integer, got {value!r}")
    return value


def _check_items(answers: Mapping[str, object], expected: set[str]) -> None:
    unknown = sorted(set(answers) - expected)
    if unknown:
        raise ScaleError(unknown[0], "voce sconosciuta per questa scala / unknown item")
    missing = sorted(expected - set(answers))
    if missing:
        raise ScaleError(missing[0], "risposta mancante / missing answer")


def _band(kind: ScaleKind, total: int, bands: Mapping[ScaleKind, tuple[Band, ...]]) -> str | None:
    for low, high, label in bands.get(kind, ()):
        if low <= total <= high:
            return label
    return None


def score_inspire(answers: Mapping[str, object]) -> Score:
    """Five areas 0 (no need) to 3 (severe need); the profile is the vector, the total its sum."""
    _check_items(answers, set(INSPIRE_AREAS))
    profile = {}
    for area in INSPIRE_AREAS:
        value = _int_answer(area, answers[area])
        if not 0 <= value <= 3:
            raise ScaleError(area, f"valore {value} fuori scala (0–3) / out of range")
        profile[area] = value
    highest = max(profile.values())
    return Score(
        total=sum(profile.values()),
        band=None,
        detail={
            "profile": profile,
            "priority_areas": [a for a in INSPIRE_AREAS if profile[a] == highest and highest > 0],
        },
    )


def score_barthel(answers: Mapping[str, object]) -> Score:
    """Barthel modified (Shah), 0–100; ``uso_carrozzina`` replaces ``deambulazione`` for who does not walk."""
    items = dict(BARTHEL_ITEMS)
    wheelchair = BARTHEL_WHEELCHAIR[0] in answers
    if wheelchair:
        if "deambulazione" in answers:
            raise ScaleError("uso_carrozzina", "alternativa a deambulazione: indicarne una sola / give only one")
        del items["deambulazione"]
        items[BARTHEL_WHEELCHAIR[0]] = BARTHEL_WHEELCHAIR[1]
    _check_items(answers, set(items))
    total = 0
    for item, allowed in items.items():
        value = _int_answer(item, answers[item])
        if value not in allowed:
            raise ScaleError(item, f"valore {value} non ammesso; ammessi / allowed {list(allowed)}")
        total += value
    return Score(total=total, band=None, detail={"variante_carrozzina": wheelchair})


def score_katz(answers: Mapping[str, object]) -> Score:
    """Katz ADL: each function 1 independent / 0 dependent; funzioni perse = 6 − total."""
    _check_items(answers, set(KATZ_ITEMS))
    total = 0
    for item in KATZ_ITEMS:
        value = _int_answer(item, answers[item])
        if value not in (0, 1):
            raise ScaleError(item, f"valore {value} non ammesso; ammessi / allowed [0, 1]")
        total += value
    return Score(total=total, band=f"{6 - total} funzioni perse", detail={"funzioni_perse": 6 - total})


def score_lawton(answers: Mapping[str, object]) -> Score:
    """Lawton IADL 0–8: each answer is the index of the option chosen, scored by the table."""
    _check_items(answers, set(LAWTON_ITEMS))
    total = 0
    for item, scores in LAWTON_ITEMS.items():
        option = _int_answer(item, answers[item])
        if not 0 <= option < len(scores):
            raise ScaleError(item, f"opzione {option} inesistente; opzioni / options 0–{len(scores) - 1}")
        total += scores[option]
    return Score(total=total, band=None)


#: MMSE answers: the raw score with the person's age and years of schooling; ``punteggio_corretto`` alone is
#: a score already corrected elsewhere (the only answer records had before the correction was applied here)
MMSE_RAW, MMSE_AGE, MMSE_SCHOOLING, MMSE_CORRECTED = "punteggio_grezzo", "eta", "anni_scolarita", "punteggio_corretto"
MMSE_AGE_BANDS: tuple[tuple[int, int], ...] = ((65, 69), (70, 74), (75, 79), (80, 84), (85, 89))
MMSE_SCHOOLING_BANDS: tuple[tuple[int, int], ...] = ((0, 4), (5, 7), (8, 12), (13, 17))
#: Magni et al., Eur J Neurol 1996: the adjustment added to the raw score, by age band (rows) and years
#: of schooling (columns), as DOMAIN.md gives it
MMSE_CORRECTION: tuple[tuple[Decimal, ...], ...] = tuple(
    tuple(Decimal(v) for v in row)
    for row in (
        ("0.4", "-1.1", "-2.0", "-2.8"),
        ("0.7", "-0.7", "-1.6", "-2.3"),
        ("1.0", "-0.3", "-1.0", "-1.7"),
        ("1.5", "0.4", "-0.3", "-0.9"),
        ("2.2", "1.4", "0.8", "0.3"),
    )
)
MMSE_MAX = 30


def _band_index(value: int, bands: tuple[tuple[int, int], ...]) -> tuple[int, bool]:
    """The band holding ``value``, or the nearest one and True when ``value`` lies outside the grid."""
    for i, (low, high) in enumerate(bands):
        if low <= value <= high:
            return i, False
    return (0 if value < bands[0][0] else len(bands) - 1), True


@dataclass(frozen=True)
class MmseCorrection:
    """The cell of Magni's grid used for an age and a schooling, and whether they lay outside it."""

    age_band: tuple[int, int]
    schooling_band: tuple[int, int]
    value: Decimal
    outside_grid: bool


def mmse_correction(age: int, schooling_years: int) -> MmseCorrection:
    """The correction for ``age`` and ``schooling_years``; outside the grid the nearest row or column is used."""
    row, age_out = _band_index(age, MMSE_AGE_BANDS)
    column, schooling_out = _band_index(schooling_years, MMSE_SCHOOLING_BANDS)
    return MmseCorrection(
        MMSE_AGE_BANDS[row], MMSE_SCHOOLING_BANDS[column], MMSE_CORRECTION[row][column], age_out or schooling_out
    )


def _bounded_int(item: str, value: object, low: int, high: int) -> int:
    number = _int_answer(item, value)
    if not low <= number <= high:
        raise ScaleError(item, f"valore {number} fuori scala ({low}–{high}) / out of range")
    return number


def score_mmse(answers: Mapping[str, object]) -> Score:
    """MMSE: the raw score corrected for age and schooling (Magni 1996), capped to 0–30; the total is the
    corrected score truncated, so that bands read it as the cut-offs mean (23.6 is below 24: "lieve")."""
    if set(answers) == {MMSE_CORRECTED}:
        return _score_mmse_corrected(answers[MMSE_CORRECTED])
    _check_items(answers, {MMSE_RAW, MMSE_AGE, MMSE_SCHOOLING})
    raw = _bounded_int(MMSE_RAW, answers[MMSE_RAW], 0, MMSE_MAX)
    age = _bounded_int(MMSE_AGE, answers[MMSE_AGE], 18, 120)
    schooling = _bounded_int(MMSE_SCHOOLING, answers[MMSE_SCHOOLING], 0, 30)
    correction = mmse_correction(age, schooling)
    corrected = min(max(raw + correction.value, Decimal(0)), Decimal(MMSE_MAX))
    return Score(
        total=int(corrected),
        band=None,
        detail={
            MMSE_RAW: raw,
            "correzione": float(correction.value),
            MMSE_CORRECTED: float(corrected),
            "fascia_eta": list(correction.age_band),
            "fascia_scolarita": list(correction.schooling_band),
            "fuori_griglia": correction.outside_grid,
        },
    )


def _score_mmse_corrected(value: object) -> Score:
    """A score corrected elsewhere (records from before the raw score was asked keep this shape)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScaleError(MMSE_CORRECTED, f"deve essere un numero / must be a number, got {value!r}")
    if not 0 <= value <= MMSE_MAX:
        raise ScaleError(MMSE_CORRECTED, f"valore {value} fuori scala (0–30) / out of range")
    return Score(total=int(value), band=None, detail={MMSE_CORRECTED: value})


SCORERS: dict[ScaleKind, Callable[[Mapping[str, object]], Score]] = {
    ScaleKind.INSPIRE: score_inspire,
    ScaleKind.BARTHEL: score_barthel,
    ScaleKind.KATZ_ADL: score_katz,
    ScaleKind.LAWTON_IADL: score_lawton,
    ScaleKind.MMSE: score_mmse,
}


def score(
    kind: ScaleKind,
    answers: Mapping[str, object],
    bands: Mapping[ScaleKind, tuple[Band, ...]] = DEFAULT_BANDS,
) -> Score:
    """Validate and score one administration of a scale."""
    result = SCORERS[kind](answers)
    if result.band is None:
        return Score(total=result.total, band=_band(kind, result.total, bands), detail=result.detail)
    return result


@dataclass(frozen=True)
class IntensityRule:
    """Care intensity (*configurable*): ALTA where Barthel ≤ alta_barthel_max, or an area at 3 without
    a support network; MEDIA where Barthel ≤ media_barthel_max or an area at 2; otherwise BASSA."""

    alta_barthel_max: int = 40
    media_barthel_max: int = 90
    alta_area_score: int = 3
    media_area_score: int = 2


def care_intensity(
    *,
    barthel: int | None,
    inspire: Mapping[str, int] | None,
    has_support_network: bool,
    rule: IntensityRule = IntensityRule(),
) -> CareIntensity:
    areas = list((inspire or {}).values())
    if barthel is not None and barthel <= rule.alta_barthel_max:
        return CareIntensity.ALTA
    if not has_support_network and any(a >= rule.alta_area_score for a in areas):
        return CareIntensity.ALTA
    if barthel is not None and barthel <= rule.media_barthel_max:
        return CareIntensity.MEDIA
    if any(a >= rule.media_area_score for a in areas):
        return CareIntensity.MEDIA
    return CareIntensity.BASSA
