"""The plan as the PDF contract signed at the kitchen table: parties, who does what when (in words), hours,
costs and shares, goals, approvals, signatures and version (fpdf2, core fonts in Windows-1252: € and
Italian letters without a font file)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from centrale.clock import to_rome
from web.i18n import translator
from web.words import formats


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _moment(value: datetime | None) -> str:
    return to_rome(value).strftime("%d/%m/%Y %H:%M") if value else ""


class _Contract(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("helvetica", size=8)
        self.cell(0, 8, f"{self.footer_text} · pagina {self.page_no()}/{{nb}}", align="C")


def contract_pdf(view: dict[str, Any], *, printed: datetime, lang: str = "it") -> bytes:
    """The contract of one plan version; ``view`` is what the contract page shows (``plans.plan_view``)."""
    t = translator(lang)
    p, person = view["p"], view["person"]
    money = formats.money
    pdf = _Contract(format="A4")
    pdf.core_fonts_encoding = "windows-1252"
    pdf.footer_text = f"{t('pl_contract_title')} · {t('pl_version')} {p.version}"
    pdf.set_title(f"{t('pl_contract_title')} - {person.cognome} {person.nome}")
    pdf.set_auto_page_break(auto=True, margin=16)
    pdf.add_page()

    def heading(text: str) -> None:
        pdf.ln(2)
        pdf.set_font("helvetica", "B", 12)
        pdf.multi_cell(0, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("helvetica", size=10)

    def line(text: str) -> None:
        pdf.multi_cell(0, 5.5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_font("helvetica", "B", 15)
    pdf.multi_cell(0, 9, t("pl_contract_title"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("helvetica", size=10)
    line(f"{t('pl_version')} {p.version} · {t('pl_status_' + p.status)} · {t('pl_case')} {p.case_id}")

    heading(t("pl_parties"))
    born = f", {_day(person.data_nascita)}" if person.data_nascita else ""
    line(f"{t('pl_beneficiary')}: {person.cognome} {person.nome}{born} — {t('pl_cf')} {person.codice_fiscale}")
    if view["case_manager"]:
        line(f"{t('pl_case_manager')}: {view['case_manager'].full_name}")
    line(f"{t('pl_team')}: {', '.join(view['team'])}")
    end = f" {t('pl_to')} {_day(p.planned_end)}" if p.planned_end else f", {t('pl_open_end')}"
    review = f"{t('pl_review_every')} {p.review_every} {t('pl_unit_' + p.review_unit)}"
    line(f"{t('pl_period')}: {t('pl_from')} {_day(p.start_date)}{end}; {review}")
    line(f"ISEE: {money(p.isee, lang)}")

    heading(t("pl_goals"))
    for n, goal in enumerate(p.goals, start=1):
        line(f"{n}. {t('pl_term_' + goal.term)}: {goal.description}")

    heading(t("pl_interventions"))
    for row in view["rows"]:
        iv = row["iv"]
        who = row["org"] + (f" — {row['operator']}" if row["operator"] else f" ({t('pl_no_tasks').lower()})")
        pdf.set_font("helvetica", "B", 10)
        line(row["service"])
        pdf.set_font("helvetica", size=10)
        line(f"{t('pl_who')}: {who}")
        line(f"{t('pl_when')}: {row['when']}")
        line(
            f"{t('pl_hours')}: {formats.number(iv.hours_per_month, 2, lang)} · {t('pl_tariff')}: "
            f"{money(iv.tariff, lang)} · {t('pl_cost')}: {money(iv.cost, lang)}"
        )
        line(
            f"{t('pl_share_ente')}: {money(iv.share_ente, lang)} · {t('pl_share_utente')}: "
            f"{money(iv.share_utente, lang)} · {t('pl_share_ssn')}: {money(iv.share_ssn, lang)}"
        )
        pdf.ln(1)
    pdf.set_font("helvetica", "B", 10)
    line(
        f"{t('pl_total')}: {money(p.totals.cost, lang)} · {t('pl_share_ente')}: {money(p.totals.ente, lang)} · "
        f"{t('pl_share_utente')}: {money(p.totals.utente, lang)} · {t('pl_share_ssn')}: {money(p.totals.ssn, lang)}"
    )
    pdf.set_font("helvetica", size=10)

    heading(t("pl_approvals"))
    for a in p.approvals:
        line(f"{view['orgs'].get(a.organisation_id, '')}, {t('pl_approved_by')} {a.operator_name}, {_moment(a.at)}")
    for name in view["missing"]:
        line(f"{name}: {t('pl_missing').lower()}")

    heading(t("pl_signature"))
    signature = view["signature"]
    if signature is not None:
        line(f"{t('pl_signed_by')} {signature.signed_by} {t('pl_signed_on')} {_moment(p.signed_at)}")
    else:
        line(t("pl_not_signed"))
    pdf.ln(10)
    signer = signature.signed_by if signature is not None else f"{person.cognome} {person.nome}"
    manager = view["case_manager"].full_name if view["case_manager"] else ""
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / 2 - 5
    if pdf.get_y() > pdf.h - 60:  # the two signature boxes stay together on one page
        pdf.add_page()
    y = pdf.get_y()
    for i, who in enumerate((f"{t('pl_beneficiary')}: {signer}", f"{t('pl_case_manager')}: {manager}")):
        x = pdf.l_margin + i * (width + 10)
        pdf.set_xy(x, y)
        pdf.multi_cell(width, 5.5, who)
        pdf.line(x, y + 22, x + width, y + 22)
        pdf.set_xy(x, y + 23)
        pdf.cell(width, 5.5, t("pl_place_date"))
    pdf.set_xy(pdf.l_margin, y + 34)
    pdf.set_font("helvetica", size=8)
    line(f"{t('pl_printed')} {printed.strftime('%d/%m/%Y %H:%M')} · {t('pl_version')} {p.version}")
    return bytes(pdf.output())
