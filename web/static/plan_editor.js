// The plan editor: the operators of the chosen provider, the schedule in words with its next dates (asked
// of the server, which stores the rule), and live cost-share totals with the same linear ISEE rule the
// server applies (the server's figures are the ones saved). Columns: cost, Ente, Utente — as on the plan.
(function () {
  const form = document.getElementById("plan-form");
  if (!form) return;
  const num = (v) => {
    const text = String(v || "").trim().replace(/\./g, "").replace(",", ".");
    const n = parseFloat(text);
    return isNaN(n) ? null : n;
  };
  const plain = (v) => { const n = parseFloat(String(v || "")); return isNaN(n) ? null : n; };
  const cents = (x) => Math.round((x + Number.EPSILON) * 100) / 100;
  const euro = (x) => x.toFixed(2).replace(".", ",").replace(/\B(?=(\d{3})+(?!\d))/g, ".") + " €";
  function userHourly(isee, o) {
    const min = plain(o.dataset.min), max = plain(o.dataset.max), sub = plain(o.dataset.sub), full = plain(o.dataset.full);
    if (min === null || max === null || sub === null || full === null) return 0;
    if (isee === null || isee > max) return cents(full);
    if (isee <= min) return 0;
    return cents(sub * (isee - min) / (max - min));
  }
  function costs() {
    const isee = num(document.getElementById("isee").value);
    let tc = 0, tu = 0, te = 0;
    form.querySelectorAll("fieldset.intervention").forEach((box) => {
      const row = form.querySelector('tr.row[data-i="' + box.dataset.i + '"]');
      const sel = box.querySelector(".svc"), opt = sel.options[sel.selectedIndex];
      const tariffInput = box.querySelector(".tariff");
      if (opt && opt.value && !tariffInput.value && opt.dataset.tariff) tariffInput.value = opt.dataset.tariff.replace(".", ",");
      const hours = num(box.querySelector(".hours").value), tariff = num(tariffInput.value);
      const cells = [row.querySelector(".cost"), row.querySelector(".ente"), row.querySelector(".user")];
      if (!opt || !opt.value || hours === null || tariff === null) { cells.forEach((c) => { c.textContent = ""; }); return; }
      const cost = cents(hours * tariff), user = Math.min(cents(hours * userHourly(isee, opt)), cost), ente = cents(cost - user);
      cells[0].textContent = euro(cost); cells[1].textContent = euro(ente); cells[2].textContent = euro(user);
      tc += cost; tu += user; te += ente;
    });
    document.getElementById("total-cost").textContent = euro(cents(tc));
    document.getElementById("total-ente").textContent = euro(cents(te));
    document.getElementById("total-user").textContent = euro(cents(tu));
  }
  function operators(box) {
    const org = box.querySelector(".provider").value, sel = box.querySelector(".operator");
    sel.querySelectorAll("option[data-org]").forEach((o) => {
      const mine = o.dataset.org === org;
      o.hidden = !mine; o.disabled = !mine;
      if (!mine && o.selected) sel.value = "";
    });
  }
  function controls(box) {
    const repeat = box.querySelector(".repeat").value;
    const show = { ".days": repeat === "SETTIMANALE", ".every": ["SETTIMANALE", "GIORNALIERA", "MENSILE"].includes(repeat),
      ".monthday": repeat === "MENSILE", ".on": repeat === "UNA_VOLTA", ".at": repeat !== "AL_BISOGNO" };
    Object.entries(show).forEach(([sel, on]) => {
      const el = box.querySelector(sel), holder = el.closest("label") || el;
      holder.hidden = !on;
    });
  }
  const timers = new WeakMap();
  function preview(box) {
    const i = box.dataset.i, params = new URLSearchParams();
    params.set("repeat", box.querySelector(".repeat").value);
    box.querySelectorAll('input[name="day_' + i + '"]:checked').forEach((d) => params.append("day", d.value));
    params.set("at", box.querySelector(".at").value);
    params.set("every", box.querySelector(".every").value);
    params.set("monthday", box.querySelector(".monthday").value);
    params.set("on", box.querySelector(".on").value);
    params.set("start", document.getElementById("start_date").value);
    clearTimeout(timers.get(box));
    timers.set(box, setTimeout(() => {
      fetch("/progetti/quando?" + params.toString(), { credentials: "same-origin" })
        .then((r) => r.ok ? r.json() : null)
        .then((data) => {
          if (!data) return;
          box.querySelector(".when-words").textContent = data.words;
          box.querySelector(".when-dates").textContent = data.dates.length ? "— " + data.dates.join("; ") : "";
        })
        .catch(() => {});
    }, 150));
  }
  function update(event) {
    const box = event && event.target.closest ? event.target.closest("fieldset.intervention") : null;
    const boxes = box ? [box] : Array.from(form.querySelectorAll("fieldset.intervention"));
    if (event && event.target.id === "start_date") boxes.splice(0, boxes.length, ...form.querySelectorAll("fieldset.intervention"));
    boxes.forEach((b) => { operators(b); controls(b); preview(b); });
    costs();
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update(null);
})();
