"""The assessment forms: each scale's items and options as the interface shows them (Italian, English).

Scores come from ``centrale.assessments.scales`` (the single source of truth); this module only
names items and options, and checks at import that every option it shows exists in the scale.
"""

from __future__ import annotations

from dataclasses import dataclass

from centrale.assessments.scales import (
    BARTHEL_ITEMS,
    BARTHEL_WHEELCHAIR,
    INSPIRE_AREAS,
    INSPIRE_LABELS,
    KATZ_ITEMS,
    LAWTON_ITEMS,
    MMSE_AGE,
    MMSE_AGE_BANDS,
    MMSE_CORRECTION,
    MMSE_RAW,
    MMSE_SCHOOLING,
    MMSE_SCHOOLING_BANDS,
    ScaleKind,
    lawton_order,
)
from web.words import scales as _words  # noqa: F401 - registers the words of the assessment pages

Text = tuple[str, str]  # Italian, English


@dataclass(frozen=True)
class Option:
    value: int | str  # what the form posts: the score, or (Lawton) the option's index
    label: Text
    score: int | None = None  # shown beside the label when it differs from the value


@dataclass(frozen=True)
class Item:
    key: str
    label: Text
    options: tuple[Option, ...] = ()
    widget: str = "radio"  # radio, select or number
    minimum: float = 0
    maximum: float = 0
    step: float = 1


@dataclass(frozen=True)
class ScaleForm:
    kind: ScaleKind
    title: Text
    items: tuple[Item, ...]
    notes_per_item: bool = False


def _scores(values: tuple[int, ...]) -> tuple[Option, ...]:
    return tuple(Option(v, (str(v), str(v))) for v in values)


_BARTHEL_LABELS: dict[str, Text] = {
    "alimentazione": ("Alimentazione", "Feeding"),
    "bagno": ("Bagno / doccia", "Bathing"),
    "igiene_personale": ("Igiene personale", "Personal hygiene"),
    "abbigliamento": ("Abbigliamento", "Dressing"),
    "continenza_intestinale": ("Continenza intestinale", "Bowel control"),
    "continenza_urinaria": ("Continenza urinaria", "Bladder control"),
    "uso_gabinetto": ("Uso del gabinetto", "Toilet use"),
    "trasferimento_letto_sedia": ("Trasferimento letto-sedia", "Bed-chair transfer"),
    "deambulazione": ("Deambulazione", "Walking"),
    "scale": ("Scale", "Stairs"),
}

_WHEELCHAIR = Item(
    BARTHEL_WHEELCHAIR[0],
    ("Uso della carrozzina (solo per chi non cammina)", "Wheelchair use (only if not walking)"),
    _scores(BARTHEL_WHEELCHAIR[1]),
    "select",
)
BARTHEL = ScaleForm(
    ScaleKind.BARTHEL,
    ("Indice di Barthel modificato", "Modified Barthel index"),
    (*(Item(k, _BARTHEL_LABELS[k], _scores(v), "select") for k, v in BARTHEL_ITEMS.items()), _WHEELCHAIR),
)

_KATZ_LABELS: dict[str, Text] = {
    "bagno": ("Fare il bagno", "Bathing"),
    "vestirsi": ("Vestirsi", "Dressing"),
    "toilette": ("Uso della toilette", "Toileting"),
    "spostarsi": ("Spostarsi", "Transferring"),
    "continenza": ("Continenza", "Continence"),
    "alimentazione": ("Alimentazione", "Feeding"),
}
_KATZ_OPTIONS = (Option(1, ("Indipendente", "Independent")), Option(0, ("Dipendente", "Dependent")))

KATZ = ScaleForm(
    ScaleKind.KATZ_ADL,
    ("ADL di Katz", "Katz ADL"),
    tuple(Item(k, _KATZ_LABELS[k], _KATZ_OPTIONS) for k in KATZ_ITEMS),
)

#: Lawton IADL: item -> label and the option texts, by option code (the order of LAWTON_ITEMS' scores)
_LAWTON: dict[str, tuple[Text, tuple[Text, ...]]] = {
    "telefono": (
        ("Usare il telefono", "Using the telephone"),
        (
            ("Usa il telefono di propria iniziativa", "Uses the telephone on own initiative"),
            ("Compone solo alcuni numeri ben conosciuti", "Dials a few well-known numbers"),
            ("Risponde ma non è capace di comporre i numeri", "Answers but does not dial"),
            ("Non è in grado di usare il telefono", "Does not use the telephone at all"),
        ),
    ),
    "acquisti": (
        ("Fare acquisti", "Shopping"),
        (
            ("Fa tutte le proprie spese senza aiuto", "Does all shopping independently"),
            ("Fa piccoli acquisti senza aiuto", "Makes small purchases independently"),
            ("Ha bisogno di essere accompagnato", "Needs to be accompanied"),
            ("È del tutto incapace di fare acquisti", "Completely unable to shop"),
        ),
    ),
    "preparazione_cibo": (
        ("Preparare il cibo", "Food preparation"),
        (
            ("Organizza, prepara e serve pasti adeguati da solo", "Plans, prepares and serves meals alone"),
            ("Prepara pasti adeguati se ha gli ingredienti", "Prepares meals if given the ingredients"),
            ("Scalda pasti pronti o non segue una dieta adeguata", "Heats ready meals or keeps no adequate diet"),
            ("Ha bisogno di pasti preparati e serviti", "Needs meals prepared and served"),
        ),
    ),
    "governo_casa": (
        ("Governo della casa", "Housekeeping"),
        (
            ("Mantiene la casa da solo o con aiuto occasionale", "Keeps house alone or with occasional help"),
            ("Esegue solo compiti quotidiani leggeri", "Does light daily tasks only"),
            ("Ha bisogno di aiuto in ogni operazione", "Needs help with every task"),
            ("Non partecipa al governo della casa", "Takes no part in housekeeping"),
            (
                "Esegue compiti quotidiani leggeri ma non mantiene un livello accettabile di pulizia",
                "Does light daily tasks but cannot keep an acceptable level of cleanliness",
            ),
        ),
    ),
    "biancheria": (
        ("Biancheria", "Laundry"),
        (
            ("Fa il bucato personalmente e completamente", "Does all personal laundry"),
            ("Lava le piccole cose", "Launders small items"),
            ("Tutta la biancheria è lavata da altri", "All laundry done by others"),
        ),
    ),
    "mezzi_trasporto": (
        ("Mezzi di trasporto", "Transport"),
        (
            ("Si sposta da solo con i mezzi pubblici o guida", "Travels alone by public transport or drives"),
            ("Si sposta in taxi ma non usa i mezzi pubblici", "Takes taxis but not public transport"),
            ("Usa i mezzi pubblici se accompagnato", "Uses public transport when accompanied"),
            ("Si sposta solo in taxi o in auto con aiuto", "Travels only by taxi or car with help"),
            ("Non si sposta per niente", "Does not travel at all"),
        ),
    ),
    "farmaci": (
        ("Uso dei farmaci", "Medication"),
        (
            ("Prende i farmaci nelle dosi e ai tempi giusti", "Takes medication in correct doses at correct times"),
            ("Prende i farmaci se preparati in anticipo", "Takes medication if prepared in advance"),
            ("Non è in grado di prendere i farmaci da solo", "Cannot take medication alone"),
        ),
    ),
    "denaro": (
        ("Gestione del denaro", "Handling finances"),
        (
            ("Gestisce il denaro in modo indipendente", "Manages money independently"),
            ("Gestisce gli acquisti quotidiani, aiuto per la banca", "Manages day-to-day purchases, help with banking"),
            ("È incapace di maneggiare denaro", "Incapable of handling money"),
        ),
    ),
}

LAWTON = ScaleForm(
    ScaleKind.LAWTON_IADL,
    ("IADL di Lawton", "Lawton IADL"),
    tuple(
        Item(
            key,
            _LAWTON[key][0],
            tuple(Option(code, _LAWTON[key][1][code], scores[code]) for code in lawton_order(key)),
        )
        for key, scores in LAWTON_ITEMS.items()
    ),
)
assert all(len(_LAWTON[k][1]) == len(v) for k, v in LAWTON_ITEMS.items()), "a Lawton option without its text"

MMSE = ScaleForm(
    ScaleKind.MMSE,
    ("Mini-Mental State Examination (MMSE)", "Mini-Mental State Examination (MMSE)"),
    (
        Item(MMSE_RAW, ("Punteggio grezzo (0–30)", "Raw score (0–30)"), widget="number", maximum=30),
        Item(MMSE_AGE, ("Età (anni compiuti)", "Age (years)"), widget="number", minimum=18, maximum=120),
        Item(
            MMSE_SCHOOLING,
            ("Anni di scolarità (anni di scuola frequentati)", "Years of schooling"),
            widget="number",
            maximum=30,
        ),
    ),
)


@dataclass(frozen=True)
class GridRow:
    """One age band of the MMSE correction grid, its corrections formatted for the page."""

    ages: str
    corrections: tuple[str, ...]


def signed(value: float, lang: str = "it") -> str:
    """A correction as the grid prints it: +0,4 / −1,1 (a comma in Italian)."""
    text = f"{abs(value):.1f}"
    return ("+" if value >= 0 else "\u2212") + (text.replace(".", ",") if lang == "it" else text)


def decimal(value: float, lang: str = "it") -> str:
    """A score with one decimal where it has one: 20,4 (a comma in Italian), 23."""
    text = f"{value:.1f}".removesuffix(".0")
    return text.replace(".", ",") if lang == "it" else text


def band_text(band: tuple[int, int] | list[int]) -> str:
    return f"{band[0]}\u2013{band[1]}"


def mmse_grid(lang: str = "it") -> tuple[tuple[str, ...], tuple[GridRow, ...]]:
    """Magni's grid as the page shows it: the schooling bands (columns) and one row per age band."""
    columns = tuple(band_text(b) for b in MMSE_SCHOOLING_BANDS)
    rows = tuple(
        GridRow(band_text(ages), tuple(signed(float(v), lang) for v in values))
        for ages, values in zip(MMSE_AGE_BANDS, MMSE_CORRECTION, strict=True)
    )
    return columns, rows


INSPIRE = ScaleForm(
    ScaleKind.INSPIRE,
    ("Valutazione INSPIRE (cinque aree)", "INSPIRE assessment (five areas)"),
    tuple(
        Item(area, (f"{area} — {INSPIRE_LABELS[area]}", area), _scores((0, 1, 2, 3)), "select")
        for area in INSPIRE_AREAS
    ),
    notes_per_item=True,
)

FORMS: dict[ScaleKind, ScaleForm] = {s.kind: s for s in (INSPIRE, BARTHEL, KATZ, LAWTON, MMSE)}


def parse_answer(item: Item, raw: str) -> int | float | str:
    """Numbers as numbers (a decimal is passed on for the scale to refuse where it wants an integer);
    anything else is passed on for the scale to refuse with the item's name."""
    text = raw.strip().replace(",", ".")
    try:
        return int(text)
    except ValueError:
        pass
    if item.widget == "number":
        try:
            return float(text)
        except ValueError:
            return raw
    return raw
