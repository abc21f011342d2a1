"""PS-PSA-SINA flows from the neutral input: valid against INPS's XSD, or not emitted at all."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from integrations.siuss.flow import (
    Beneficiario,
    Ente,
    FlowInput,
    FlowNotEmitted,
    Prestazione,
    Residenza,
    Sina,
    flow_id,
    render_flow,
)
from integrations.siuss.spec import NAMESPACE, PS_PSA_SINA_XSD, ps_psa_sina_schema


def complete() -> FlowInput:
    return FlowInput(
        nome_flusso="H501.PS.20240315.0000001",
        ente=Ente(codice="H501", denominazione="Roma Capitale", indirizzo="H501", cf_operatore="02438750586"),
        beneficiario=Beneficiario(
            codice_fiscale="RSSMRA40A41H501X",
            cognome="Rossi",
            nome="Maria",
            anno_nascita=1940,
            luogo_nascita="H501",
            genere="2",
            codice_cittadinanza="380",
            residenza=Residenza(codice_nazione="380", codice_regione="12", codice_comune="058091"),
        ),
        prestazione=Prestazione(
            codice="A2.07",
            denominazione="Assistenza domiciliare socio-assistenziale",
            protocollo_domanda="PRT-2024-17",
            presenza_prova_mezzi="1",
            presa_carico="1",
            area_utenza="2",
            carattere="1",
            data_inizio=date(2024, 3, 1),
            data_fine=date(2024, 12, 31),
            importo_mensile=Decimal("276.00"),
            quota_ente=Decimal("196.00"),
            quota_utente=Decimal("80.00"),
            quota_ssn=Decimal("0.00"),
            soglia_isee=Decimal("30000.00"),
            ore_mensili=Decimal("20.00"),
            sina=Sina(
                mobilita="2",
                attivita_vita_quotidiana="2",
                disturbi_area_cognitiva="1",
                disturbi_comportamentali="1",
                area_reddituale="2",
                area_supporto="2",
                fonte_derivazione_valutazione="2",
                strumento_valutazione="7",
                necessita_interventi_sociali=["A2.07"],
            ),
        ),
    )


def test_the_spec_shipped_is_inps_own():
    # the package carries INPS's XSD itself (a fresh clone validates without anything beside it)
    assert PS_PSA_SINA_XSD.is_file() and (PS_PSA_SINA_XSD.parent / "LICENSE").is_file()
    assert ps_psa_sina_schema().target_namespace == NAMESPACE


def test_a_complete_flow_validates_and_carries_the_prestazione():
    xml = render_flow(complete())
    ps_psa_sina_schema().validate(xml.decode())
    root = etree.fromstring(xml)
    ns = {"c": NAMESPACE}
    assert root.find("c:IdentificazioneFlusso", ns).get("Nome") == "H501.PS.20240315.0000001"
    assert len(root.findall("c:Beneficiario", ns)) == 1
    pre = root.find("c:Beneficiario/c:PrestazioniSociali", ns)
    assert (pre.get("CodicePrestazione"), pre.get("ImportoQuotaUtente"), pre.get("OreServizioMensile")) == (
        "A2.07",
        "80.00",
        "20.00",
    )
    assert pre.find("c:SINA", ns).get("AttivitaVitaQuotidiana") == "2"


def test_a_flow_without_sina_validates():
    data = complete()
    data.prestazione.sina = None
    ps_psa_sina_schema().validate(render_flow(data).decode())


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("beneficiario.codice_cittadinanza", "beneficiario.codice_cittadinanza"),
        ("prestazione.protocollo_domanda", "prestazione.protocollo_domanda"),
        ("prestazione.sina.disturbi_comportamentali", "prestazione.sina.disturbi_comportamentali"),
        ("ente.cf_operatore", "ente.cf_operatore"),
        ("beneficiario.residenza.codice_comune", "beneficiario.residenza.codice_comune"),
    ],
)
def test_a_missing_mandatory_field_is_never_emitted_and_is_named(path: str, field: str):
    data = complete()
    *parents, leaf = path.split(".")
    target: object = data
    for part in parents:
        target = getattr(target, part)
    setattr(target, leaf, None)
    with pytest.raises(FlowNotEmitted) as refused:
        render_flow(data)
    assert [m.field for m in refused.value.missing] == [field]
    assert refused.value.missing[0].label  # an Italian sentence the case manager can act on


def test_what_the_xsd_refuses_is_not_emitted_either():
    data = complete()
    data.beneficiario.codice_fiscale = "NON-UN-CF"
    with pytest.raises(FlowNotEmitted) as refused:
        render_flow(data)
    assert refused.value.errors and "CodiceFiscale" in " ".join(refused.value.errors)


def test_flow_ids_follow_inps_pattern():
    assert flow_id("H501", date(2021, 5, 20), 2) == "H501.PS.20210520.0000002"
    with pytest.raises(ValueError):
        flow_id("H501", date(2021, 5, 20), 10_000_000)
