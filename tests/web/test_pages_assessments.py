"""Assessment pages: Katz ADL, Lawton IADL and MMSE forms score on the server, show total and band,
and put an error beside the item the server names."""

from __future__ import annotations

import re

import httpx
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.assessments.models import Assessment
from centrale.assessments.scales import LAWTON_ITEMS
from centrale.clock import to_rome, utcnow
from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from tests.centrale.test_cases import open_case
from web.api.deps import COOKIE_NAME


async def _signed_in_case(client: httpx.AsyncClient, session: AsyncSession) -> int:
    municipio = await f.org(session, OrgKind.MUNICIPIO)
    cm = await f.operator(session, Role.CASE_MANAGER, municipio)
    token = await f.token_for(session, cm)
    case = await open_case(client, token, (await f.person(session, municipio)).id)
    client.cookies.set(COOKIE_NAME, token)
    return int(case["id"])


def _text(html: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', html)
    assert match, f"#{element_id} not on the page"
    return match.group(1).strip()


KATZ = {"bagno": 0, "vestirsi": 1, "toilette": 1, "spostarsi": 0, "continenza": 1, "alimentazione": 1}


async def test_katz_form_shows_total_and_lost_functions(client: httpx.AsyncClient, session: AsyncSession):
    case_id = await _signed_in_case(client, session)
    form = await client.get(f"/casi/{case_id}/valutazione?kind=KATZ_ADL")
    assert form.status_code == 200
    for item in KATZ:  # every item, with both options, labelled in Italian
        assert f'name="a_{item}" value="1"' in form.text and f'name="a_{item}" value="0"' in form.text
    assert "Indipendente" in form.text and "Dipendente" in form.text
    body = {"kind": "KATZ_ADL"} | {f"a_{k}": str(v) for k, v in KATZ.items()}
    r = await client.post(f"/casi/{case_id}/valutazione", data=body, follow_redirects=True)
    assert r.status_code == 200
    assert (_text(r.text, "total"), _text(r.text, "band"), _text(r.text, "lost")) == ("4", "2 funzioni perse", "2")


async def test_lawton_form_scores_by_option(client: httpx.AsyncClient, session: AsyncSession):
    case_id = await _signed_in_case(client, session)
    form = await client.get(f"/casi/{case_id}/valutazione?kind=LAWTON_IADL")
    assert form.text.count('name="a_mezzi_trasporto"') == 5 and form.text.count('name="a_biancheria"') == 3
    # options: telefono 2nd (1), acquisti 2nd (0), cibo 1st (1), casa 4th (0), biancheria 2nd (1),
    # trasporto 3rd (1), farmaci 2nd (0), denaro 3rd (0) -> 4
    chosen = {
        "telefono": 1,
        "acquisti": 1,
        "preparazione_cibo": 0,
        "governo_casa": 3,
        "biancheria": 1,
        "mezzi_trasporto": 2,
        "farmaci": 1,
        "denaro": 2,
    }
    body = {"kind": "LAWTON_IADL"} | {f"a_{k}": str(v) for k, v in chosen.items()}
    r = await client.post(f"/casi/{case_id}/valutazione", data=body, follow_redirects=True)
    assert _text(r.text, "total") == "4"
    assert "Usa i mezzi pubblici se accompagnato (1)" in r.text


async def test_lawton_housekeeping_shows_five_options_in_lawton_and_brody_order(
    client: httpx.AsyncClient, session: AsyncSession
):
    case_id = await _signed_in_case(client, session)
    form = await client.get(f"/casi/{case_id}/valutazione?kind=LAWTON_IADL")
    fieldset = form.text[form.text.index('id="item-governo_casa"') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    shown = re.findall(r'name="a_governo_casa" value="(\d)"[^>]*>\s*([^<]+?)\s*<span class="score">\((\d)\)', fieldset)
    assert [(text, int(points)) for _, text, points in shown] == [
        ("Mantiene la casa da solo o con aiuto occasionale", 1),
        ("Esegue solo compiti quotidiani leggeri", 1),
        ("Esegue compiti quotidiani leggeri ma non mantiene un livello accettabile di pulizia", 1),
        ("Ha bisogno di aiuto in ogni operazione", 1),
        ("Non partecipa al governo della casa", 0),
    ]
    cleanliness = shown[2][0]
    body = {"kind": "LAWTON_IADL"} | {f"a_{k}": "0" for k in LAWTON_ITEMS} | {"a_governo_casa": cleanliness}
    r = await client.post(f"/casi/{case_id}/valutazione", data=body, follow_redirects=True)
    assert _text(r.text, "total") == "8"
    assert "non mantiene un livello accettabile di pulizia (1)" in r.text


async def test_mmse_raw_score_age_and_schooling_give_the_corrected_score_and_band(
    client: httpx.AsyncClient, session: AsyncSession
):
    case_id = await _signed_in_case(client, session)
    form = await client.get(f"/casi/{case_id}/valutazione?kind=MMSE")
    for item in ("punteggio_grezzo", "eta", "anni_scolarita"):
        assert f'name="a_{item}"' in form.text
    # the age is offered from the person's birth date (1 January 1940), the assessor may change it
    assert 'name="a_eta" min="18" max="120"' in form.text
    assert re.search(rf'name="a_eta"[^>]*value="{to_rome(utcnow()).year - 1940}"', form.text)
    assert 'id="mmse-grid"' in form.text and "Magni" in form.text and "\u22122,8" in form.text  # the grid is shown
    # 72 years, 10 years of schooling: Magni's cell 70–74 × 8–12 is −1.6, so 22 raw is 20.4 corrected
    body = {"kind": "MMSE", "a_punteggio_grezzo": "22", "a_eta": "72", "a_anni_scolarita": "10"}
    r = await client.post(f"/casi/{case_id}/valutazione", data=body, follow_redirects=True)
    assert r.status_code == 200
    assert (_text(r.text, "total"), _text(r.text, "band")) == ("20", "lieve")
    assert (_text(r.text, "mmse-raw"), _text(r.text, "mmse-corrected")) == ("22", "20,4")
    assert _text(r.text, "mmse-correction").startswith("\u22121,6")
    assert re.search(r'id="mmse-cell-used"[^>]*><strong>\u22121,6</strong>', r.text)
    row = (await session.exec(select(Assessment))).one()
    assert row.answers == {"punteggio_grezzo": 22, "eta": 72, "anni_scolarita": 10}
    assert (row.detail["punteggio_grezzo"], row.detail["punteggio_corretto"], row.total) == (22, 20.4, 20)


async def test_an_mmse_recorded_before_the_correction_keeps_its_score(client: httpx.AsyncClient, session: AsyncSession):
    case_id = await _signed_in_case(client, session)
    client_token = client.cookies.get(COOKIE_NAME)
    assert client_token
    # the shape earlier records have: only a score already corrected, no raw score
    r = await client.post(
        f"/api/v1/cases/{case_id}/assessments",
        headers=f.bearer(client_token),
        json={"kind": "MMSE", "answers": {"punteggio_corretto": 23.6}},
    )
    assert r.status_code == 201 and (r.json()["total"], r.json()["band"]) == (23, "lieve")
    page = await client.get(f"/casi/{case_id}/valutazioni/{r.json()['id']}")
    assert _text(page.text, "mmse-corrected") == "23,6" and 'id="mmse-elsewhere"' in page.text
    assert 'id="mmse-raw"' not in page.text


async def test_errors_are_shown_beside_the_named_item_and_nothing_is_saved(
    client: httpx.AsyncClient, session: AsyncSession
):
    case_id = await _signed_in_case(client, session)
    missing = {"kind": "KATZ_ADL"} | {f"a_{k}": str(v) for k, v in KATZ.items() if k != "spostarsi"}
    r = await client.post(f"/casi/{case_id}/valutazione", data=missing)
    assert r.status_code == 422
    assert "risposta mancante" in _text(r.text, "err-spostarsi")
    assert 'aria-describedby="err-spostarsi"' in r.text
    assert re.search(r'name="a_vestirsi" value="1"\s+checked', r.text)  # the other answers are kept

    out_of_range = {"kind": "MMSE", "a_punteggio_grezzo": "31", "a_eta": "80", "a_anni_scolarita": "5"}
    r = await client.post(f"/casi/{case_id}/valutazione", data=out_of_range)
    assert r.status_code == 422 and "fuori scala" in _text(r.text, "err-punteggio_grezzo")
    assert 'value="31"' in r.text
    assert (await session.exec(select(Assessment))).all() == []


async def test_forms_in_english(client: httpx.AsyncClient, session: AsyncSession):
    case_id = await _signed_in_case(client, session)
    r = await client.get(f"/casi/{case_id}/valutazione?kind=KATZ_ADL&lang=en")
    assert "Dependent" in r.text and "Save assessment" in r.text and "Dipendente" not in r.text


async def test_a_role_without_the_assessments_section_is_refused(client: httpx.AsyncClient, session: AsyncSession):
    case_id = await _signed_in_case(client, session)
    ets = await f.org(session, OrgKind.ETS)
    tutor = await f.operator(session, Role.TUTOR, ets)
    cm_cookie = client.cookies.get(COOKIE_NAME)
    assert cm_cookie
    r = await client.post(
        f"/api/v1/cases/{case_id}/team",
        headers=f.bearer(cm_cookie),
        json={"organisation_id": ets.id, "operator_id": tutor.id, "role": "TUTOR"},
    )
    assert r.status_code == 201
    client.cookies.set(COOKIE_NAME, await f.token_for(session, tutor))
    body = {"kind": "KATZ_ADL"} | {f"a_{k}": str(v) for k, v in KATZ.items()}
    assert (await client.post(f"/casi/{case_id}/valutazione", data=body)).status_code == 403
    assert (await session.exec(select(Assessment))).all() == []
