// The board's lane "Dimissioni in corso": the protected discharges in flight, each with the days to the
// discharge, the next milestone (late or not), the ward's phone and the file. The board's script tells this
// one of every event (a "board:event" on the document) and of every snapshot; a discharge's event reloads
// the lane from GET /board/dimissioni at once, so a new notice shows within a second.
(() => {
  "use strict";
  const BOARD = JSON.parse(document.getElementById("board-data").textContent);
  const W = BOARD.words;
  const t = (k) => W[k] || k;
  const LANE = "/board/dimissioni";
  const list = document.getElementById("discharges");
  const count = document.getElementById("discharge-count");
  if (!list) return;
  let pending = null;
  let again = false;

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") node.className = v;
      else node.setAttribute(k, v === true ? "" : v);
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== "") node.append(c);
    return node;
  }

  // "dimissione tra 3 giorni", "dimissione oggi", "data prevista superata da 2 giorni" (the bed still kept)
  function days(n) {
    if (n === 0) return t("b_dis_today");
    const unit = Math.abs(n) === 1 ? t("b_dis_day") : t("b_dis_days");
    return n > 0 ? `${t("b_dis_in_days")} ${n} ${unit}` : t("b_dis_past").replace("{n}", `${-n} ${unit}`);
  }

  function item(d) {
    const next = d.next ? el("p", { class: d.next.late ? "next late" : "next" },
      `${t("b_dis_missing")}: ${d.next.words} ${t("b_dis_by")} ${d.next.due_words}`,
      d.next.late ? el("span", { class: "badge late" }, ` ${t("b_dis_late")}`) : null) : null;
    const phone = d.contact_phone ? el("a", { href: `tel:${d.contact_phone}`, class: "call" },
      `${t("b_dis_call")}${d.contact_name ? ` (${d.contact_name})` : ""} ${d.contact_phone}`) : null;
    return el("li", { class: d.next && d.next.late ? "discharge is-late" : "discharge", "data-id": d.id,
      "data-case": d.case_id },
    el("strong", {}, d.person), ` · ${d.hospital}${d.ward ? `, ${d.ward}` : ""} · `,
    el("span", { class: "days" }, days(d.days_to_discharge)),
    next,
    el("p", { class: "links" }, phone, phone ? " · " : null,
      d.case_id ? el("a", { href: `/casi/${d.case_id}/dimissione`, class: "file" }, t("b_dis_file")) : null));
  }

  function show(answer) {
    const items = answer.data;
    count.textContent = String(items.length);
    list.replaceChildren(...(items.length ? items.map(item) : [el("li", { class: "empty" }, t("b_dis_none"))]));
    // the late milestones in the board's overdue panel, under the late tasks
    const late = answer.overdue || [];
    const overdue = document.getElementById("discharge-overdue");
    overdue.hidden = !late.length;
    document.getElementById("discharge-overdue-title").hidden = !late.length;
    overdue.replaceChildren(...late.map((m) => el("li", { "data-discharge": m.discharge_id, "data-milestone": m.milestone },
      el("strong", {}, m.person), ` · ${m.words} · ${t("b_dis_was_due")} ${m.due_words} · `,
      el("a", { href: `/casi/${m.case_id}/dimissione` }, t("b_dis_file")))));
  }

  // one request at a time; an event during a request asks for one more when it ends
  async function reload() {
    if (pending) { again = true; return; }
    pending = fetch(LANE, { credentials: "same-origin" });
    try {
      const r = await pending;
      if (r.ok) show(await r.json());
    } catch (_) { /* the board's banner already says it is not live */ }
    pending = null;
    if (again) { again = false; reload(); }
  }

  document.addEventListener("board:snapshot", reload);
  document.addEventListener("board:event", (e) => {
    const kind = (e.detail && e.detail.kind) || "";
    if (kind.startsWith("discharge.")) reload();  // each reload is a showing, audited: only when it changed
  });
  reload();
})();
