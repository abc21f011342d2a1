"""Words of the assessment pages that are not item labels: the MMSE correction and its grid."""

from __future__ import annotations

from web.i18n import register

WORDS: dict[str, dict[str, str]] = {
    "mmse_grid_title": {
        "it": "Correzione per età e scolarità (Magni et al., 1996)",
        "en": "Correction for age and schooling (Magni et al., 1996)",
    },
    "mmse_grid_help": {
        "it": "Il punteggio corretto è il punteggio grezzo più la correzione della griglia, "
        "limitato tra 0 e 30; la fascia si legge sul punteggio corretto. Fuori dalla griglia "
        "(meno di 65 o più di 89 anni, più di 17 anni di scuola) si usa la riga o la colonna più vicina.",
        "en": "The corrected score is the raw score plus the grid's correction, kept between 0 and 30; "
        "the band is read on the corrected score. Outside the grid (under 65 or over 89 years, more than "
        "17 years of schooling) the nearest row or column is used.",
    },
    "mmse_age": {"it": "Età (anni)", "en": "Age (years)"},
    "mmse_schooling": {"it": "Anni di scolarità", "en": "Years of schooling"},
    "mmse_cell": {"it": "età {ages} anni, scolarità {years} anni", "en": "age {ages} years, schooling {years} years"},
    "mmse_raw": {"it": "Punteggio grezzo", "en": "Raw score"},
    "mmse_correction": {"it": "Correzione", "en": "Correction"},
    "mmse_corrected": {"it": "Punteggio corretto", "en": "Corrected score"},
    "mmse_outside_grid": {
        "it": "Età o scolarità fuori dalla griglia: è stata usata la riga o la colonna più vicina.",
        "en": "Age or schooling outside the grid: the nearest row or column was used.",
    },
    "mmse_corrected_elsewhere": {
        "it": "Punteggio già corretto registrato senza il punteggio grezzo.",
        "en": "Score already corrected, recorded without the raw score.",
    },
}

register(WORDS)
