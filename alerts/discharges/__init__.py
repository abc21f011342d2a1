"""Protected discharges (dimissioni protette): a hospital stay that becomes a plan at home in time.

Interface for the pages, the board and the API (every change through a flow, every read under need-to-know):

- models (``alerts.discharges.models``): ``Discharge``, ``DischargeMilestone``, ``Milestone`` (in order:
  NOTIFICA, UVM_PRENOTATA, UVM_SVOLTA, PIANO_APPROVATO, DIMISSIONE, PRIMA_VISITA, TELEFONATA_CONTROLLO),
  ``DischargeState``, ``DischargeNotice`` (the notice form's fields), ``DischargePublic``.
- flows (``alerts.discharges.flows``), each ``await flow(tx, ...)`` then ``await tx.commit()``:
  ``notify(tx, *, notice: DischargeNotice) -> Notified`` (``.discharge``, ``.created``, ``.case_opened``);
  ``complete_milestone(tx, *, discharge_id, milestone: Milestone, at: datetime | None = None,
  note: str | None = None) -> DischargeMilestone``;
  ``move_date(tx, *, discharge_id, expected_date: date) -> list[DischargeMilestone]`` (the moved ones);
  ``cancel(tx, *, discharge_id, reason: str) -> Discharge``;
  ``discharge_for(tx, discharge_id, subtype="discharge.read") -> Discharge`` (a read, authorised and audited).
  Errors: ``Invalid`` with ``field`` (codice_fiscale, expected_date, hospital_org_id, ward, done_at,
  case_manager_id, reason...), ``Conflict`` (already done, closed), ``Refused`` (audited), ``NotFound``.
- reads (``alerts.discharges.reads``), filtered by need-to-know; the caller audits what it shows:
  ``lane(session, *, actor, now=None) -> list[LaneItem]`` (transitions in flight: days to discharge,
  missing milestones, next deadline, overdue ones, hospital and contact);
  ``overdue(session, *, actor, now=None) -> list[OverdueMilestone]`` (the board's overdue panel);
  ``of_case(session, *, case_id) -> list[Discharge]``; ``service.milestones_of(session, discharge_id)``.
- indicators (``alerts.discharges.indicators``): ``indicators(session, *, start: date, end: date)
  -> Indicators`` with ``overall``, ``by_municipio``, ``by_hospital`` and ``weekly`` rows of
  ``IndicatorRow`` (transitions, mean days notice→plan, share with the plan ready on the day, days of
  delayed discharge, share of first visits within 48 h).
- events (outbox, ids and codes only): ``discharge.notified``, ``discharge.milestone_done``,
  ``discharge.completed``, ``discharge.date_moved``, ``discharge.cancelled`` (entity_type "Discharge",
  payload: discharge_id, case_id, state, expected_date, and milestone where it applies).
- hospitals' client credentials (``alerts.discharges.clients``): ``issue``, ``by_credential``,
  ``by_fingerprint``; the FHIR surface is ``web/api/fhir_discharges.py``, the command ``centrale
  hospital-client`` registers one. docs/DISCHARGES.md explains the deadlines and the indicators.
- alerts: an overdue milestone raises one alert (source DIMISSIONE_PROTETTA, dedupe key
  ``discharge:<id>:<milestone>``) escalated by the "Dimissione protetta" policy: PUA, case manager,
  coordinatore di turno (``alerts.discharges.jobs.raise_overdue``).
"""
