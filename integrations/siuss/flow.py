"""PS-PSA-SINA flows: from a neutral description of one beneficiary to XML that INPS's XSD accepts.

A mandatory field that is unknown is never guessed: ``missing_fields`` names it, and ``render_flow``
refuses to produce a flow until the list is empty. The XSD (``spec.py``) is the last word on validity.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from lxml import etree
from pydantic import BaseModel, Field

from integrations.siuss.spec import NAMESPACE, validation_errors


class MissingField(BaseModel):
    """One mandatory datum the flow cannot be sent without."""

    field: str = Field(description="Path in the flow, e.g. beneficiario.codice_cittadinanza")
    label: str = Field(description="What to fill in, in Italian")


class Ente(BaseModel):
    codice: str  # Belfiore code of the ente (Roma: H501)
    denominazione: str | None = None
    indirizzo: str  # Belfiore code of the ente's registered seat
    cf_operatore: str | None = None


class Residenza(BaseModel):
    codice_nazione: str | None = None  # ISO 3166 numeric, Italy 380 (as INPS's examples)
    codice_regione: str | None = None  # mandatory when the nation is Italy
    codice_comune: str | None = None  # ISTAT, 6 digits; mandatory when the nation is Italy


class Beneficiario(BaseModel):
    codice_fiscale: str | None = None
    cognome: str | None = None
    nome: str | None = None
    anno_nascita: int | None = None
    luogo_nascita: str | None = None  # Belfiore code (or Z### for a foreign country)
    genere: str | None = None  # 1 maschio, 2 femmina
    codice_cittadinanza: str | None = None
    codice_seconda_cittadinanza: str | None = None
    residenza: Residenza = Residenza()


class Sina(BaseModel):
    """The SINA block (non-self-sufficiency), each item with INPS's codes."""

    mobilita: str | None = None
    attivita_vita_quotidiana: str | None = None
    disturbi_area_cognitiva: str | None = None  # optional
    disturbi_comportamentali: str | None = None
    necessita_cure_sanitarie: str | None = None  # optional
    area_reddituale: str | None = None
    area_supporto: str | None = None
    fonte_derivazione_valutazione: str | None = None
    strumento_valutazione: str | None = None
    necessita_interventi_sociali: list[str] = []


class Prestazione(BaseModel):
    codice: str | None = None
    denominazione: str | None = None
    protocollo_domanda: str | None = None
    presenza_prova_mezzi: str | None = None  # 1–4
    presa_carico: str | None = None  # 1 sì, 2 no
    area_utenza: str | None = None  # 1, 2, 3
    tipo_operazione: str = "I"
    carattere: str | None = None  # 1 periodica, 2 occasionale
    numero_protocollo_dsu: str | None = None
    anno_protocollo_dsu: str | None = None
    data_dsu: date | None = None
    data_evento: date | None = None
    data_inizio: date | None = None
    data_fine: date | None = None
    data_erogazione: date | None = None
    importo: Decimal | None = None
    periodo_erogazione: int | None = None
    importo_mensile: Decimal | None = None
    quota_ente: Decimal | None = None
    quota_utente: Decimal | None = None
    quota_ssn: Decimal | None = None
    quota_richiesta: Decimal | None = None
    soglia_isee: Decimal | None = None
    ore_mensili: Decimal | None = None
    sina: Sina | None = None


class FlowInput(BaseModel):
    """One flow: one beneficiary, one prestazione (the rule of INPS's application cooperation)."""

    nome_flusso: str
    ente: Ente
    beneficiario: Beneficiario
    prestazione: Prestazione


class FlowNotEmitted(Exception):
    """The flow lacks mandatory data or the XSD refuses it; nothing is emitted."""

    def __init__(self, missing: list[MissingField], errors: list[str] | None = None) -> None:
        super().__init__("; ".join([m.field for m in missing] + (errors or [])))
        self.missing = missing
        self.errors = errors or []


_REQUIRED_BENEFICIARIO = {
    "codice_fiscale": "Codice fiscale del beneficiario",
    "cognome": "Cognome",
    "nome": "Nome",
    "anno_nascita": "Anno di nascita",
    "luogo_nascita": "Luogo di nascita (codice catastale)",
    "genere": "Genere",
    "codice_cittadinanza": "Cittadinanza",
}
_REQUIRED_PRESTAZIONE = {
    "codice": "Codice prestazione SIUSS",
    "denominazione": "Denominazione della prestazione",
    "protocollo_domanda": "Protocollo della domanda",
    "presenza_prova_mezzi": "Presenza prova dei mezzi",
    "presa_carico": "Presa in carico",
}
_REQUIRED_SINA = {
    "mobilita": "SINA: mobilità",
    "attivita_vita_quotidiana": "SINA: attività della vita quotidiana",
    "disturbi_comportamentali": "SINA: disturbi comportamentali",
    "area_reddituale": "SINA: area reddituale",
    "area_supporto": "SINA: area supporto",
    "fonte_derivazione_valutazione": "SINA: fonte della valutazione",
    "strumento_valutazione": "SINA: strumento di valutazione",
}


def missing_fields(data: FlowInput) -> list[MissingField]:
    """The mandatory data that are still unknown (empty: the flow may be rendered)."""
    missing: list[MissingField] = []
    if not data.ente.cf_operatore:
        missing.append(MissingField(field="ente.cf_operatore", label="Codice fiscale dell'operatore dell'ente"))
    ben = data.beneficiario
    for name, label in _REQUIRED_BENEFICIARIO.items():
        if getattr(ben, name) in (None, ""):
            missing.append(MissingField(field=f"beneficiario.{name}", label=label))
    res = ben.residenza
    if not res.codice_nazione:
        missing.append(MissingField(field="beneficiario.residenza.codice_nazione", label="Nazione di residenza"))
    elif res.codice_nazione == "380":
        if not res.codice_regione:
            missing.append(MissingField(field="beneficiario.residenza.codice_regione", label="Regione di residenza"))
        if not res.codice_comune:
            missing.append(MissingField(field="beneficiario.residenza.codice_comune", label="Comune di residenza"))
    pre = data.prestazione
    for name, label in _REQUIRED_PRESTAZIONE.items():
        if getattr(pre, name) in (None, ""):
            missing.append(MissingField(field=f"prestazione.{name}", label=label))
    if pre.sina is not None:
        for name, label in _REQUIRED_SINA.items():
            if getattr(pre.sina, name) in (None, ""):
                missing.append(MissingField(field=f"prestazione.sina.{name}", label=label))
    return missing


def _attrs(element: etree._Element, values: dict[str, object]) -> None:
    """Set the attributes that have a value, in XSD spelling (decimals and dates as XSD writes them)."""
    for name, value in values.items():
        if value is None or value == "":
            continue
        element.set(name, value.isoformat() if isinstance(value, date) else str(value))


def _q(tag: str) -> str:
    return f"{{{NAMESPACE}}}{tag}"


def render_flow(data: FlowInput) -> bytes:
    """The flow as UTF-8 XML, valid against the XSD; raises ``FlowNotEmitted`` otherwise."""
    missing = missing_fields(data)
    if missing:
        raise FlowNotEmitted(missing)
    root = etree.Element(_q("Flusso"), nsmap={None: NAMESPACE})
    ident = etree.SubElement(root, _q("IdentificazioneFlusso"), Nome=data.nome_flusso)
    e = data.ente
    _attrs(
        etree.SubElement(ident, _q("Ente")),
        {"Codice": e.codice, "Denominazione": e.denominazione, "Indirizzo": e.indirizzo, "CFOperatore": e.cf_operatore},
    )
    b = data.beneficiario
    ben = etree.SubElement(root, _q("Beneficiario"), CodiceFiscale=str(b.codice_fiscale))
    _attrs(
        etree.SubElement(ben, _q("Anagrafica")),
        {
            "Cognome": (b.cognome or "")[:36],
            "Nome": (b.nome or "")[:36],
            "AnnoNascita": f"{b.anno_nascita:04d}" if b.anno_nascita else None,
            "LuogoNascita": b.luogo_nascita,
            "Genere": b.genere,
            "CodiceCittadinanza": b.codice_cittadinanza,
            "CodiceSecondaCittadinanza": b.codice_seconda_cittadinanza,
        },
    )
    r = b.residenza
    _attrs(
        etree.SubElement(ben, _q("Indirizzo")),
        {"CodiceRegione": r.codice_regione, "CodiceComune": r.codice_comune, "CodiceNazione": r.codice_nazione},
    )
    p = data.prestazione
    pre = etree.SubElement(ben, _q("PrestazioniSociali"))
    _attrs(
        pre,
        {
            "TipoOperazione": p.tipo_operazione,
            "PresenzaProvaMezzi": p.presenza_prova_mezzi,
            "CaratterePrestazione": p.carattere,
            "NumeroProtocolloDSU": p.numero_protocollo_dsu,
            "AnnoProtocolloDSU": p.anno_protocollo_dsu,
            "DataDSU": p.data_dsu,
            "CodicePrestazione": p.codice,
            "DenominazionePrestazione": p.denominazione,
            "ProtocolloDomanda": p.protocollo_domanda,
            "DataEvento": p.data_evento,
            "DataInizioPrestazione": p.data_inizio,
            "DataFinePrestazione": p.data_fine,
            "DataErogazionePrestazione": p.data_erogazione,
            "ImportoPrestazione": p.importo,
            "PeriodoErogazione": p.periodo_erogazione,
            "ImportoMensile": p.importo_mensile,
            "ImportoQuotaEnte": p.quota_ente,
            "ImportoQuotaUtente": p.quota_utente,
            "ImportoQuotaSSN": p.quota_ssn,
            "ImportoQuotaRichiesta": p.quota_richiesta,
            "ImportoSogliaISEE": p.soglia_isee,
            "OreServizioMensile": p.ore_mensili,
            "PresaCarico": p.presa_carico,
            "AreaUtenza": p.area_utenza,
        },
    )
    if p.sina is not None:
        s = p.sina
        sina = etree.SubElement(pre, _q("SINA"))
        _attrs(
            sina,
            {
                "Mobilita": s.mobilita,
                "AttivitaVitaQuotidiana": s.attivita_vita_quotidiana,
                "DisturbiAreaCognitiva": s.disturbi_area_cognitiva,
                "DisturbiComportamentali": s.disturbi_comportamentali,
                "NecessitaCureSanitarie": s.necessita_cure_sanitarie,
                "AreaReddituale": s.area_reddituale,
                "AreaSupporto": s.area_supporto,
                "FonteDerivazioneValutazione": s.fonte_derivazione_valutazione,
                "StrumentoValutazione": s.strumento_valutazione,
            },
        )
        if s.necessita_interventi_sociali:
            needs = etree.SubElement(sina, _q("NecessitaInterventiSociali"))
            for code in s.necessita_interventi_sociali:
                etree.SubElement(needs, _q("CodicePrestazione")).text = code
    xml: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    errors = validation_errors(xml)
    if errors:
        raise FlowNotEmitted([], errors)
    return xml


def flow_id(codice_ente: str, day: date, progressive: int) -> str:
    """``EEEE.PS.AAAAMMGG.NNNNNNN``: the ente, the PS format, the day of creation, a daily progressive."""
    if not 1 <= progressive <= 9_999_999:
        raise ValueError("progressive: fuori dall'intervallo 1–9999999 / out of range")
    return f"{codice_ente}.PS.{day:%Y%m%d}.{progressive:07d}"
