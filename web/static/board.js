// The live board: the pages' websocket client (live.js) on /ws/board (snapshot, then events in sequence
// order), replay on reconnect, a visible connection state and a "dati non aggiornati" banner whenever it is down.
// The snapshot carries the most urgent open alerts (a first page) and how many are open per severity;
// "Mostra altre" loads the next ones, as cards, from GET /board/alerts, which lists them in the same order.
(() => {
  "use strict";
  // the page's data comes as JSON, not as an inline script (the Content-Security-Policy allows none)
  const BOARD = JSON.parse(document.getElementById("board-data").textContent);
  const W = BOARD.words;
  const t = (k) => W[k] || k;
  // In-place actions go to the alerts API (the session cookie signs them in).
  const API = "/api/v1/alerts";
  const MORE = "/board/alerts";
  const ME = BOARD.me;
  const RANK = { URGENTE: 3, ALTA: 2, MEDIA: 1, BASSA: 0 };
  const SEVERITIES = ["URGENTE", "ALTA", "MEDIA", "BASSA"];
  const OPEN = new Set(["NUOVA", "PRESA_VISIONE"]);
  const $ = (sel) => document.querySelector(sel);

  // unloaded: per severity, the open alerts this board has not loaded yet (counted, not shown);
  // gone: alerts closed before they were ever loaded (so that a second event does not count them twice)
  const board = { alerts: new Map(), refresh: null,
    unloaded: {}, gone: new Set(), page: 200, files: false, quarantine: null, quarantineRefresh: null };
  const number = (n) => n.toLocaleString(BOARD.lang === "en" ? "en-GB" : "it-IT");

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
    return node;
  }

  function age(iso) {
    if (!iso) return "";
    const minutes = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 60000));
    if (minutes < 60) return `${minutes} min`;
    const hours = Math.floor(minutes / 60);
    if (hours < 24) return `${hours} h ${String(minutes % 60).padStart(2, "0")}`;  // "1 h 05", as web.words.formats
    const rest = hours % 24;
    return `${Math.floor(hours / 24)} ${BOARD.lang === "en" ? "d" : "g"}${rest ? ` ${rest} h` : ""}`;
  }

  function clock(iso) {
    return iso ? new Date(iso).toLocaleString(BOARD.lang === "en" ? "en-GB" : "it-IT",
      { timeZone: "Europe/Rome", dateStyle: "short", timeStyle: "short" }) : "";
  }

  // --- connection: the shared client (live.js) resumes, answers pings, backs off, shows the banner ---------
  function setConnection(state) {
    const conn = $("#conn");
    conn.dataset.state = state;
    conn.textContent = t({ connected: "b_connected", connecting: "b_connecting" }[state] || "b_disconnected");
    if (state === "connected") render();
  }

  function snapshot(m) {
    board.alerts = new Map(m.alerts.map((a) => [a.id, a]));
    board.unloaded = Object.fromEntries(SEVERITIES.map((s) =>
      [s, Math.max(0, ((m.counts || {})[s] || 0) - m.alerts.filter((a) => a.severity === s).length)]));
    board.gone = new Set();
    board.page = m.limit || board.page;
    board.files = Boolean(m.files);
    panels(m);
    personal(m.personal);
    quarantine(m.quarantine);
    document.dispatchEvent(new CustomEvent("board:snapshot", { detail: m }));
    if ($("#conn").dataset.state === "connected") render();  // a resync; otherwise "connected" renders it
  }

  function socketUrl() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    return `${scheme}//${location.host}/ws/board`;
  }

  // One of the open alerts counted but not loaded has now been seen (loaded, or closed): one fewer
  // unloaded, of its severity or, if that was raised since, of a lower one.
  function takeUnloaded(severity) {
    for (const s of SEVERITIES.slice(SEVERITIES.indexOf(severity))) {
      if (board.unloaded[s] > 0) { board.unloaded[s] -= 1; return; }
    }
  }

  function onEvent(m) {
    document.dispatchEvent(new CustomEvent("board:event", { detail: m }));  // for the board's other lanes
    if (m.alert) {
      const id = m.alert.id;
      const before = board.alerts.get(id);
      const fresh = m.kind === "alert.opened";  // a new alert, never counted
      if (OPEN.has(m.alert.state)) {
        if (!before && !fresh && !board.gone.has(id)) takeUnloaded(m.alert.severity);
        if (before && before.file !== undefined && m.alert.file === undefined) m.alert.file = before.file;
        board.alerts.set(id, m.alert);
      } else if (before) {
        board.alerts.delete(id);
      } else if (!fresh && !board.gone.has(id)) {
        board.gone.add(id);
        takeUnloaded(m.alert.severity);
      }
      if (!before && m.kind === "alert.opened" && m.alert.severity === "URGENTE") beep();
      render();
    }
    if (m.personal) notify(m);
    if (m.kind === "sms.quarantined" && board.quarantine) {  // counted at once, listed by the refresh
      board.quarantine.count += 1;
      $("#quarantine-count").textContent = number(board.quarantine.count);
      refreshQuarantine();
    }
    if (m.kind === "sms.reviewed" && board.quarantine) refreshQuarantine();
    if (m.kind === "heatwave.level") heat({ level: m.payload.level, set_at: m.at });
    if (m.kind === "task.closed" && m.entity_type === "Task") taskClosed(m.payload);
    if (/^(task|checkin|sms\.opt|heatwave)/.test(m.kind)) refreshPanels();
  }

  // The side panels are reloaded from a fresh snapshot on a second, short-lived socket.
  function refreshPanels() {
    clearTimeout(board.refresh);
    board.refresh = setTimeout(() => {
      const s = new WebSocket(socketUrl());
      s.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.type === "snapshot") { panels(m); s.close(); }
      };
    }, 1000);
  }

  // --- alerts ----------------------------------------------------------------------------------
  const filters = $("#filters");
  filters.addEventListener("change", (e) => {
    if (e.target.name === "sound") localStorage.setItem("board.sound", e.target.checked ? "1" : "");
    render();
  });
  filters.sound.checked = localStorage.getItem("board.sound") === "1";

  function fillSelect(select, values) {
    const current = select.value;
    const options = [...new Set(values.filter(Boolean))].sort();
    select.replaceChildren(select.options[0], ...options.map((v) => el("option", { value: v }, v)));
    select.value = options.includes(current) ? current : "";
  }

  // The most urgent first, as the snapshot and the alerts API order them: severity, not yet
  // acknowledged, then the most recent.
  const urgency = (a, b) => RANK[b.severity] - RANK[a.severity]
    || (a.state === "NUOVA" ? 0 : 1) - (b.state === "NUOVA" ? 0 : 1)
    || Date.parse(b.opened_at) - Date.parse(a.opened_at) || b.id - a.id;

  function render() {
    const all = [...board.alerts.values()];
    fillSelect(filters.municipio, all.map((a) => a.municipio));
    fillSelect(filters.condominio, all.map((a) => a.condominio));
    const f = Object.fromEntries(new FormData(filters));
    const shown = all
      .filter((a) => (!f.municipio || a.municipio === f.municipio) && (!f.condominio || a.condominio === f.condominio)
        && (!f.severity || a.severity === f.severity) && (!f.source || a.source === f.source))
      .sort(urgency);
    const list = $("#alerts");
    const open = new Set([...list.querySelectorAll(".timeline:not([hidden])")].map((n) => n.closest("li").dataset.id));
    list.replaceChildren(...shown.map((a) => card(a, open.has(String(a.id)))));
    $("#no-alerts").hidden = shown.length > 0;
    counts(all, shown, f);
  }

  // "200 di 10.000" when not every open alert is loaded (of the chosen severity, when that is the only
  // filter: the others cannot be counted without loading), the open alerts per severity, "Mostra altre".
  function counts(all, shown, f) {
    const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, board.unloaded[s] || 0]));
    for (const a of all) bySeverity[a.severity] = (bySeverity[a.severity] || 0) + 1;
    const total = SEVERITIES.reduce((n, s) => n + bySeverity[s], 0);
    const of = f.municipio || f.condominio || f.source ? null : f.severity ? bySeverity[f.severity] : total;
    $("#alert-count").textContent = of !== null && of > shown.length
      ? `${number(shown.length)} ${t("b_of")} ${number(of)}` : number(shown.length);
    const parts = SEVERITIES.filter((s) => bySeverity[s] > 0)
      .map((s) => el("span", { class: `sev-${s}` }, `${t("sev_" + s)} ${number(bySeverity[s])}`));
    $("#alert-counts").replaceChildren(...parts.flatMap((p, i) => (i ? [" · ", p] : [p])));
    const more = total - all.length;
    $("#more").hidden = more <= 0;
    $("#more-text").textContent = `${t("b_shown")} ${number(all.length)} ${t("b_of")} ${number(total)}`;
  }

  // The next page of cards (GET /board/alerts): within each severity and state the most recent first,
  // as in the snapshot, so the alerts already loaded of a severity and state are its first ones.
  async function loadMore() {
    const button = $("#more-button");
    button.disabled = true;
    try {
      let want = board.page;
      for (const severity of SEVERITIES) {
        for (const state of OPEN) {
          if (want <= 0 || !board.unloaded[severity]) break;
          const have = [...board.alerts.values()].filter((a) => a.severity === severity && a.state === state).length;
          const query = new URLSearchParams({ severity, state, offset: String(have), limit: String(Math.min(want, 500)) });
          const r = await fetch(`${MORE}?${query}`, { credentials: "same-origin" });
          if (!r.ok) { alert(`${t("b_failed")}: ${r.status}`); return; }
          for (const a of (await r.json()).data) {  // the snapshot's own cards, names included
            if (board.alerts.has(a.id) || !OPEN.has(a.state)) continue;
            board.alerts.set(a.id, a);
            takeUnloaded(a.severity);
            want -= 1;
          }
        }
      }
    } finally {
      button.disabled = false;
      render();
    }
  }
  $("#more-button").addEventListener("click", loadMore);

  const handles = BOARD.handles;  // roles that only read alerts get no action buttons

  // A card says what happened (the reports' words, newest first), whom to call and where to go, the file
  // to open, and the escalation as a story: who was told at which step, how, with what outcome; what next.
  function card(a, timelineOpen) {
    const where = [a.person, a.condominio, a.municipio && `Mun. ${a.municipio}`].filter(Boolean).join(" · ");
    const holder = a.assigned_to_name ? `${t("b_held_by")}: ${a.assigned_to_name}` :
      a.state === "PRESA_VISIONE" && a.acknowledged_by ? `${t("b_seen_by")}: ${a.acknowledged_by}` : "";
    const li = el("li", { class: `alert sev-${a.severity} st-${a.state}`, "data-id": a.id, "data-state": a.state, tabindex: "0",
      "aria-label": `${t("sev_" + a.severity)}, ${t("st_" + a.state)}: ${a.summary}` },
      el("div", { class: "head" },
        el("span", { class: "sev" }, t("sev_" + a.severity)),
        el("span", { class: "state" }, t("st_" + a.state)),
        el("span", { class: "age", title: clock(a.opened_at), "data-opened": a.opened_at }, age(a.opened_at)),
        el("span", { class: "src" }, t("src_" + a.source))),
      el("p", { class: "summary" }, `#${a.id} ${a.summary}`),
      el("p", { class: "meta" }, where, a.report_count > 1 ? ` · ${a.report_count} ${t("b_reports")}` : "",
        holder ? el("span", { class: "holder" }, ` · ${holder}`) : null),
      reportList(a, a.reports || []),
      contact(a),
      story(a),
      el("div", { class: "actions" },
        // take ownership (acknowledge and hold) while it is new or someone else's; acknowledging alone only stops it
        handles && (a.state === "NUOVA" || a.assigned_to !== ME) ? el("button", { type: "button", class: "take",
          title: t("b_take_hint"), onclick: () => act(a.id, "take") }, t("b_take")) : null,
        handles && a.state === "NUOVA" ? el("button", { type: "button", class: "ack", title: t("b_ack_hint"),
          onclick: () => act(a.id, "acknowledge") }, t("b_ack_label")) : null,
        handles ? el("button", { type: "button", onclick: () => commentDialog(a) }, t("b_comment")) : null,
        handles ? el("button", { type: "button", class: "resolve", onclick: () => resolveDialog(a) }, t("b_resolve")) : null,
        el("button", { type: "button", "aria-expanded": timelineOpen ? "true" : "false", onclick: (e) => toggleTimeline(a.id, e.target) }, t("b_timeline"))),
      el("ol", { class: "timeline", hidden: !timelineOpen }));
    if (timelineOpen) loadTimeline(a.id, li.querySelector(".timeline"));
    return li;
  }

  const tel = (phone, label) => el("a", { href: `tel:${phone}` }, label ? `${label} ${phone}` : phone);

  function reportList(a, reports) {
    if (!reports.length) return null;
    const list = el("ol", { class: "reports", "aria-label": t("b_reports_title") },
      ...reports.map((r) => el("li", {},
        el("div", { class: "words" }, `«${r.text}»`),
        el("div", { class: "from" }, r.sender || t("b_unknown_sender"), " · ",
          el("time", { datetime: r.at }, clock(r.at)), r.phone ? [" · ", tel(r.phone, t("b_call"))] : null))));
    const total = a.report_total || reports.length;
    if (total > reports.length) {
      list.append(el("li", {}, el("button", { type: "button", class: "show-all", onclick: (e) => showAll(a, e.target) },
        `${t("b_show_all")} (${number(total)})`)));
    }
    return list;
  }

  async function showAll(a, button) {
    const r = await fetch(`${API}/${a.id}`, { credentials: "same-origin" });
    if (!r.ok) return;
    const detail = await r.json();
    button.closest("ol.reports").replaceWith(reportList({ ...a, report_total: detail.reports.length }, detail.reports));
  }

  function contact(a) {
    const parts = [];
    if (a.person_name) parts.push(el("span", { class: "who" }, `${t("b_person")}: ${a.person_name}`));
    if (a.address) parts.push(el("span", { class: "address" }, `${t("b_address")}: ${a.address}`));
    for (const phone of a.phones || []) parts.push(tel(phone, t("b_call")));
    const sentinel = (a.reports || []).find((r) => r.sender && r.phone);
    if (sentinel) parts.push(tel(sentinel.phone, `${t("b_sentinel")} ${sentinel.sender}`));
    // "file": known for this operator (snapshot, further pages); a live event's card says only "case_id"
    const file = a.file !== undefined ? a.file : (board.files ? a.case_id : null);
    if (file) parts.push(el("a", { href: `/casi/${file}`, class: "file" }, t("b_file")));
    return parts.length ? el("p", { class: "contact" }, ...parts) : null;
  }

  const roleWords = (role) => W[`b_pr_${role}`] || t("b_operator");

  function story(a) {
    const s = a.story;
    if (!s) return null;
    const steps = s.steps.map((step) => {
      const people = new Map();
      for (const to of step.to) {
        const who = to.name || (to.channel === "BACHECA" ? t("b_ch_BACHECA") : t("b_nobody"));
        const how = `${t("b_ch_" + to.channel)} ${t("b_dl_" + to.state)}`;
        people.set(who, [...(people.get(who) || []), how]);
      }
      const told = [...people].map(([who, hows]) => `${who} (${hows.join(", ")})`).join("; ");
      return el("li", {}, `${t("b_step")} ${step.index + 1} · ${roleWords(step.role)} · `,
        el("time", { datetime: step.at }, clock(step.at)), `: ${told || t("b_nobody")}`);
    });
    let next;
    if (s.next) {
      next = el("p", { class: "next", "data-next": s.next.at },
        `${t("b_next_step")}: ${t("b_step")} ${s.next.index + 1} · ${roleWords(s.next.role)} (${s.next.channels.map((c) => t("b_ch_" + c)).join(", ")}) `,
        el("span", { class: "countdown", "data-at": s.next.at }, countdown(s.next.at)));
    } else {
      next = el("p", { class: "next" }, a.state === "NUOVA" ? t("b_escalation_over") : t("b_escalation_stopped"));
    }
    return el("div", { class: "story", "aria-label": t("b_story") },
      steps.length ? el("ol", {}, ...steps) : null, next);
  }

  function countdown(iso) {
    const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
    if (seconds <= 0) return t("b_now");
    const m = Math.floor(seconds / 60);
    return `${t("b_in")} ${m ? `${m} min ` : ""}${String(seconds % 60).padStart(2, "0")} s`;
  }
  setInterval(() => document.querySelectorAll(".countdown[data-at]").forEach((n) => { n.textContent = countdown(n.dataset.at); }), 1000);

  async function act(id, verb, body) {
    const r = await fetch(`${API}/${id}/${verb}`, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
    if (!r.ok) {
      const detail = await r.json().catch(() => ({}));
      alert(`${t("b_failed")}: ${detail.message || detail.detail || r.status}`);
      return;
    }
    const answer = await r.json();
    if (answer.state) merge(answer);  // a comment answers with its timeline entry: render() reloads it
    render();
  }

  // The API answers with the alert, not the board's card: its changes go onto the card at once, and
  // the websocket event that follows brings the whole card (names, counts) as the server has it.
  function merge(alert) {
    const current = board.alerts.get(alert.id);
    if (!OPEN.has(alert.state)) { board.alerts.delete(alert.id); return; }
    if (!current) return;  // the event brings the card
    const next = { ...current };
    for (const k of ["state", "severity", "report_count", "last_report_at", "acknowledged_at", "assigned_to", "resolved_at"]) next[k] = alert[k];
    if (alert.acknowledged_by === ME && !current.acknowledged_by) next.acknowledged_by = BOARD.name;
    if (alert.assigned_to !== current.assigned_to) next.assigned_to_name = alert.assigned_to === ME ? BOARD.name : null;
    board.alerts.set(alert.id, next);
  }

  function who(a, operatorId) {
    if (operatorId === null || operatorId === undefined) return "";
    if (operatorId === ME) return BOARD.name;
    if (a && operatorId === a.assigned_to && a.assigned_to_name) return a.assigned_to_name;
    return `${t("b_operator")} #${operatorId}`;
  }

  async function loadTimeline(id, list) {
    const r = await fetch(`${API}/${id}/timeline`, { credentials: "same-origin" });
    if (!r.ok) return;
    const entries = await r.json();
    const a = board.alerts.get(id);
    list.replaceChildren(...entries.map((e) => el("li", {}, el("time", { datetime: e.at }, clock(e.at)),
      ` ${t("code_" + e.kind)}`, entryDetail(e),
      e.operator_id !== null ? ` · ${e.operator_name || who(a, e.operator_id)}` : "", e.text ? ` — ${e.text}` : "")));
  }

  // What a timeline line's data says, in words (an escalation step: which, for whom, how).
  function entryDetail(e) {
    const d = e.data || {};
    if (e.kind === "NOTIFICA" && d.passo !== undefined) {
      const channels = (d.canali || []).map((c) => t("b_ch_" + c)).join(", ");
      const quiet = (d.ore_di_quiete || []).length ? ` · ${(d.ore_di_quiete).length} ${t("b_quiet")}` : "";
      return ` · ${t("b_step")} ${d.passo + 1} · ${roleWords(d.ruolo)} (${channels})${quiet}`;
    }
    if (e.kind === "NOTIFICA" && d.chiamata !== undefined) {  // how a call ended, and what came next
      return ` · ${t("b_ch_VOCE")}: ${t("b_call_" + d.esito)}${d.metodo_successivo ? ` · ${t("b_next_method")}` : ""}`;
    }
    if (e.kind === "PRIORITA" && d.a) return ` · ${t("sev_" + d.da)} → ${t("sev_" + d.a)}`;
    if (e.kind === "RIATTIVATA" && d.round) return ` · ${t("b_round")} ${d.round}`;
    if (e.kind === "RISOLTA" && d.esito) return ` · ${t("out_" + d.esito)}`;
    return "";
  }

  function toggleTimeline(id, button) {
    const list = button.closest("li").querySelector(".timeline");
    list.hidden = !list.hidden;
    button.setAttribute("aria-expanded", String(!list.hidden));
    if (!list.hidden) loadTimeline(id, list);
  }

  function openDialog(title, body, onOk) {
    const dialog = $("#dialog");
    $("#dialog-title").textContent = title;
    $("#dialog-body").replaceChildren(...body);
    dialog.onclose = () => { if (dialog.returnValue === "ok") onOk(new FormData($("#dialog-form"))); };
    dialog.showModal();
  }

  function commentDialog(a) {
    openDialog(`${t("b_comment")} #${a.id}`, [el("label", {}, t("b_note"), el("textarea", { name: "text", required: true, rows: "3" }))],
      (data) => act(a.id, "comments", { text: data.get("text") }));
  }

  function resolveDialog(a) {
    const outcomes = ["RISOLTA_SUL_POSTO", "INTERVENTO_ATTIVATO", "INVIO_118", "FALSO_ALLARME", "PRESA_IN_CARICO_SERVIZIO", "ALTRO"];
    openDialog(`${t("b_resolve")} #${a.id}`, [
      el("label", {}, t("b_outcome"), el("select", { name: "outcome", required: true },
        ...outcomes.map((o) => el("option", { value: o }, t("out_" + o))))),
      el("label", {}, t("b_note"), el("textarea", { name: "note", rows: "3" }))],
    (data) => act(a.id, "resolve", { outcome: data.get("outcome"), note: data.get("note") || null }));
  }

  function beep() {
    if (!filters.sound.checked) return;
    try {
      const ctx = new AudioContext();
      const osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.4);
    } catch (_) { /* no audio on this screen */ }
  }

  // --- panels ----------------------------------------------------------------------------------
  function heat(h) {
    const node = $("#heat");
    node.textContent = h ? t(`b_heat_${h.level}`) : t("b_not_available");
    node.dataset.level = h ? h.level : "";
  }

  function fillList(selector, items, line, attrs = () => ({})) {
    const list = $(selector);
    if (items === null || items === undefined) { list.replaceChildren(el("li", { class: "empty" }, t("b_not_available"))); return; }
    list.replaceChildren(...(items.length ? items.map((i) => el("li", attrs(i), ...line(i)))
      : [el("li", { class: "empty" }, t("b_none"))]));
  }

  // A closed task leaves the overdue panel at once; the refreshed panels then list it among today's done.
  function taskClosed(p) {
    const item = document.querySelector(`#tasks li[data-task-id="${p.task_id}"]`);
    if (!item) return;
    item.remove();
    if (!$("#tasks").children.length) $("#tasks").append(el("li", { class: "empty" }, t("b_none")));
  }

  function panels(m) {
    heat(m.heat);
    fillList("#tasks", m.overdue_tasks, (k) => [el("strong", {}, k.person), ` · ${k.title || t("code_" + k.type)} · ${k.assignee} · `,
      el("span", { class: "late" }, age(k.due_end))], (k) => ({ "data-task-id": k.id }));
    fillList("#done", m.done_today, (k) => [el("span", { class: "task-done" }, t("b_done")), " ", el("strong", {}, k.person),
      ` · ${k.title || t("code_" + k.type)} · ${k.assignee} · `, el("time", { datetime: k.closed_at }, clock(k.closed_at)),
      k.due_end && Date.parse(k.closed_at) > Date.parse(k.due_end) ? ` (${t("b_done_late")})` : ""],
    (k) => ({ "data-task-id": k.id }));
    fillList("#optout", m.opted_out, (s) => [`${s.name} (…${s.phone_end}) · ${s.condominio}`]);
    const body = $("#checkins tbody");
    body.replaceChildren(...(m.checkins || []).map((c) => el("tr", { class: c.missing ? "has-missing" : "" },
      el("th", { scope: "row" }, c.condominio), el("td", {}, String(c.answered)), el("td", {}, String(c.missing)),
      el("td", {}, String(c.waiting)))));
  }

  // "Notifiche personali": the last ones from the snapshot (they survive a reload), then live ones on top.
  function personal(items) {
    const list = $("#personal");
    list.replaceChildren(...(items || []).map((n) => el("li", { class: "note" },
      el("time", { datetime: n.at }, clock(n.at)), ` #${n.alert_id} ${n.text}`)));
    if (!list.children.length) list.append(el("li", { class: "empty" }, t("b_none")));
  }

  // --- quarantine: messages from unknown numbers, and the operator's decisions ----------------------
  const QUARANTINE = "/board/quarantena";

  function quarantine(q) {
    board.quarantine = q || null;
    $("#quarantine-panel").hidden = !q;
    if (!q) return;
    $("#quarantine-count").textContent = number(q.count);
    fillList("#quarantine", q.items, (m) => [
      el("strong", {}, m.phone), " · ", el("time", { datetime: m.at }, clock(m.at)),
      m.alert_id ? ` · ${t("b_has_alert")} #${m.alert_id}` : "",
      el("div", { class: "words" }, `«${m.text}»`),
      el("div", { class: "q-actions" },
        el("button", { type: "button", onclick: () => attachDialog(m) }, t("b_attach")),
        el("button", { type: "button", onclick: () => registerDialog(m) }, t("b_register")),
        el("button", { type: "button", onclick: () => decide(m.id, "scarta") }, t("b_discard")))],
    (m) => ({ "data-sms-id": m.id }));
  }

  function refreshQuarantine() {
    clearTimeout(board.quarantineRefresh);
    board.quarantineRefresh = setTimeout(async () => {
      const r = await fetch(QUARANTINE, { credentials: "same-origin" });
      if (r.ok) quarantine(await r.json());
    }, 100);
  }

  async function decide(id, verb, body) {
    const r = await fetch(`${QUARANTINE}/${id}/${verb}`, { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {}) });
    if (!r.ok) {
      const detail = await r.json().catch(() => ({}));
      alert(`${t("b_failed")}: ${detail.message || detail.detail || r.status}`);
    }
    refreshQuarantine();
  }

  async function targets() {
    const r = await fetch(`${QUARANTINE}/destinazioni`, { credentials: "same-origin" });
    return r.ok ? (await r.json()).data : [];
  }

  async function attachDialog(m) {
    const buildings = await targets();
    const select = el("select", { name: "target", required: true },
      ...buildings.map((b) => el("optgroup", { label: b.name },
        ...b.persons.map((p) => el("option", { value: `person:${p.id}` }, `${p.name} (${p.alias})`)),
        el("option", { value: `building:${b.id}` }, `${b.name}: ${t("b_whole_building")}`))));
    openDialog(`${t("b_attach_title")} · ${m.phone}`, [el("p", {}, `«${m.text}»`), el("label", {}, t("b_attach_to"), select)],
      (data) => {
        const [kind, id] = String(data.get("target")).split(":");
        decide(m.id, "attribuisci", kind === "person" ? { person_id: Number(id) } : { condominio_id: Number(id) });
      });
  }

  async function registerDialog(m) {
    const buildings = await targets();
    openDialog(`${t("b_register")} · ${m.phone}`, [
      el("p", {}, `«${m.text}»`),
      el("label", {}, t("b_condominio"), el("select", { name: "condominio_id", required: true },
        ...buildings.map((b) => el("option", { value: b.id }, b.name)))),
      el("label", {}, t("b_name"), el("input", { name: "name", required: true, maxlength: "200" })),
      el("label", { class: "check" }, el("input", { type: "checkbox", name: "consent_sms" }), ` ${t("b_consent")}`)],
    (data) => decide(m.id, "registra", { condominio_id: Number(data.get("condominio_id")), name: data.get("name"),
      consent_sms: data.get("consent_sms") === "on" }));
  }

  function notify(m) {
    const list = $("#personal");
    list.querySelector(".empty")?.remove();
    const text = m.payload.body || m.payload.text || m.kind;
    list.prepend(el("li", { class: "note" }, el("time", { datetime: m.at }, clock(m.at)), ` ${text}`));
    while (list.children.length > 20) list.lastChild.remove();
  }

  setInterval(() => document.querySelectorAll(".age[data-opened]").forEach((n) => { n.textContent = age(n.dataset.opened); }), 30000);
  CentraleLive.connect({ after: null, banner: $("#stale"), onState: setConnection, onSnapshot: snapshot, onEvent });
})();
