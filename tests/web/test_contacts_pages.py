"""The "I miei recapiti" page: rules said in words, the form changes them, bad input is named in Italian,
and another operator's page opens for an administrator only."""

from __future__ import annotations

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from centrale.operators.models import Role
from centrale.organisations.models import OrgKind
from tests import factories as f
from web.api.deps import COOKIE_NAME

RULES_FORM = {
    "quiet_start": "22:00",
    "quiet_end": "07:00",
    "ALTA_method_0": "SMS",
    "ALTA_delay_0": "2",
    "ALTA_method_1": "VOCE",
    "ALTA_delay_1": "0",
}


async def test_my_contacts_in_words_changed_by_the_form(client: httpx.AsyncClient, session: AsyncSession) -> None:
    tutor = await f.operator(session, Role.TUTOR, await f.org(session, OrgKind.ETS), phone="+393331234567")
    client.cookies.set(COOKIE_NAME, await f.token_for(session, tutor))
    page = await client.get("/recapiti")
    assert page.status_code == 200
    assert "Allerta alta: SMS e avviso sul dispositivo (regola predefinita)" in page.text
    assert "+393331234567" in page.text and 'id="push-toggle"' in page.text

    saved = await client.post(f"/recapiti/{tutor.id}/regole", data=RULES_FORM)
    assert saved.status_code == 303
    page = await client.get(saved.headers["location"])
    assert "Allerta alta: chiamata, poi SMS dopo 2 minuti</li>" in page.text  # rows in the order of their minutes
    assert "22:00–07:00" in page.text and "Recapiti salvati" in page.text
    assert "VOCE" not in page.text.split("<form")[0]  # the sentences carry no codes

    added = await client.post(f"/recapiti/{tutor.id}/telefoni", data={"number": "06 1234 5678", "voice": "1"})
    assert added.status_code == 303
    assert "+390612345678" in (await client.get("/recapiti")).text


async def test_bad_input_is_a_sentence_naming_the_field(client: httpx.AsyncClient, session: AsyncSession) -> None:
    tutor = await f.operator(session, Role.TUTOR, await f.org(session, OrgKind.ETS))
    client.cookies.set(COOKIE_NAME, await f.token_for(session, tutor))
    bad_delay = await client.post(f"/recapiti/{tutor.id}/regole", data=RULES_FORM | {"ALTA_delay_0": "due"})
    assert bad_delay.status_code == 422 and "Allerta alta, passo 1, minuti: scrivere un numero" in bad_delay.text
    half_quiet = await client.post(f"/recapiti/{tutor.id}/regole", data=RULES_FORM | {"quiet_end": ""})
    assert half_quiet.status_code == 422 and "Ore di quiete" in half_quiet.text
    landline_sms = await client.post(f"/recapiti/{tutor.id}/telefoni", data={"number": "0612345678", "sms": "1"})
    assert landline_sms.status_code == 422 and "cellulare" in landline_sms.text
    not_a_number = await client.post(f"/recapiti/{tutor.id}/telefoni", data={"number": "abc", "voice": "1"})
    assert (
        not_a_number.status_code == 422 and "Numero di telefono: abc non è un numero di telefono" in not_a_number.text
    )


async def test_another_operators_page_for_the_administrator_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    centrale = await f.org(session, OrgKind.CENTRALE)
    tutor = await f.operator(session, Role.TUTOR, await f.org(session, OrgKind.ETS))
    admin = await f.operator(session, Role.AMMINISTRATORE, centrale)
    coordinator = await f.operator(session, Role.COORDINATORE, centrale)
    client.cookies.set(COOKIE_NAME, await f.token_for(session, coordinator))
    assert (await client.get(f"/recapiti/{tutor.id}")).status_code == 403
    client.cookies.set(COOKIE_NAME, await f.token_for(session, admin))
    page = await client.get(f"/recapiti/{tutor.id}")
    assert page.status_code == 200 and f"Recapiti di {tutor.full_name}" in page.text
    assert 'id="push-toggle"' not in page.text  # this device's notices are the operator's own
    saved = await client.post(f"/recapiti/{tutor.id}/regole", data=RULES_FORM)
    assert saved.status_code == 303 and saved.headers["location"].startswith(f"/recapiti/{tutor.id}")
