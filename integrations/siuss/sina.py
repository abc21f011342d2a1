"""The SINA block from the scales of the assessment (the mapping is documented in docs/SIUSS.md).

Each function reads the latest administration of a scale and returns INPS's code, or None when the
scales say nothing about that item: the item is then reported missing, never guessed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from centrale.assessments.scales import ScaleKind
from integrations.siuss.flow import Sina


class ScaleResult(BaseModel):
    """What the mapping needs of one administration: answers, total and band."""

    kind: ScaleKind
    answers: dict[str, Any]
    total: int
    band: str | None = None


def mobilita(barthel: ScaleResult | None, katz: ScaleResult | None) -> str | None:
    """1 si sposta da solo, 2 assistito, 3 non si sposta: Barthel walking (or wheelchair), else Katz."""
    if barthel is not None:
        walk = barthel.answers.get("deambulazione")
        if walk is not None:
            return "1" if walk == 15 else "3" if walk == 0 else "2"
        wheel = barthel.answers.get("uso_carrozzina")
        if wheel is not None:
            return "2" if wheel >= 4 else "3"
    if katz is not None and "spostarsi" in katz.answers:
        return "1" if katz.answers["spostarsi"] == 1 else "2"
    return None


def attivita_vita_quotidiana(katz: ScaleResult | None, barthel: ScaleResult | None) -> str | None:
    """1 autonomo, 2 parzialmente, 3 totalmente dipendente: Katz ADL first, else the Barthel total."""
    if katz is not None:
        return "1" if katz.total == 6 else "3" if katz.total == 0 else "2"
    if barthel is not None:
        return "1" if barthel.total >= 91 else "3" if barthel.total <= 20 else "2"
    return None


_MMSE_BAND = {"lieve": "1", "moderato": "2", "grave": "3"}


def disturbi_area_cognitiva(mmse: ScaleResult | None) -> str | None:
    """MMSE band: lieve 1, moderato 2, grave 3; normal or not assessed: the optional item is left out."""
    return _MMSE_BAND.get(mmse.band or "") if mmse is not None else None


def area_supporto(inspire: ScaleResult | None, has_network: bool) -> str | None:
    """1 rete presente, 2 parziale, 3 assente: no network at all is 3; else INSPIRE FNF (0–1, 2, 3)."""
    if not has_network:
        return "3"
    if inspire is None or "FNF" not in inspire.answers:
        return None
    fnf = int(inspire.answers["FNF"])
    return "1" if fnf <= 1 else str(fnf)


def build_sina(
    latest: Mapping[ScaleKind, ScaleResult],
    *,
    has_network: bool,
    stated: Mapping[str, str | None],
    needed_codes: list[str],
) -> Sina:
    """The SINA block: mapped items from the scales, stated items from the case manager's SIUSS data."""
    barthel, katz = latest.get(ScaleKind.BARTHEL), latest.get(ScaleKind.KATZ_ADL)
    return Sina(
        mobilita=mobilita(barthel, katz),
        attivita_vita_quotidiana=attivita_vita_quotidiana(katz, barthel),
        disturbi_area_cognitiva=disturbi_area_cognitiva(latest.get(ScaleKind.MMSE)),
        disturbi_comportamentali=stated.get("disturbi_comportamentali"),
        necessita_cure_sanitarie=stated.get("necessita_cure_sanitarie"),
        area_reddituale=stated.get("area_reddituale"),
        area_supporto=area_supporto(latest.get(ScaleKind.INSPIRE), has_network),
        fonte_derivazione_valutazione=stated.get("fonte_derivazione_valutazione"),
        strumento_valutazione=stated.get("strumento_valutazione"),
        necessita_interventi_sociali=sorted(set(needed_codes)),
    )
