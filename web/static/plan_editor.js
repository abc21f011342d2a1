// Live cost-share totals: the same linear ISEE rule the server applies (the server's figures are the ones saved).
(function () {
  const form = document.getElementById("plan-form");
  if (!form) return;
  const num = (v) => { const n = parseFloat(String(v || "").replace(",", ".")); return isNaN(n) ? null : n; };
  const cents = (x) => Math.round((x + Number.EPSILON) * 100) / 100;
  const euro = (x) => "€ " + x.toFixed(2).replace(".", ",");
  function userHourly(isee, o) {
    const min = num(o.dataset.min), max = num(o.dataset.max), sub = num(o.dataset.sub), full = num(o.dataset.full);
    if (min === null || max === null || sub === null || full === null) return 0;
    if (isee === null || isee > max) return cents(full);
    if (isee <= min) return 0;
    return cents(sub * (isee - min) / (max - min));
  }
  function update() {
    const isee = num(document.getElementById("isee").value);
    let tc = 0, tu = 0, te = 0;
    form.querySelectorAll("tr.row").forEach((row) => {
      const sel = row.querySelector(".svc"), opt = sel.options[sel.selectedIndex];
      const tariffInput = row.querySelector(".tariff");
      if (opt && opt.value && !tariffInput.value && opt.dataset.tariff) tariffInput.value = opt.dataset.tariff;
      const hours = num(row.querySelector(".hours").value), tariff = num(tariffInput.value);
      if (!opt || !opt.value || hours === null || tariff === null) {
        row.querySelector(".cost").textContent = row.querySelector(".user").textContent = row.querySelector(".ente").textContent = "";
        return;
      }
      const cost = cents(hours * tariff), user = Math.min(cents(hours * userHourly(isee, opt)), cost), ente = cents(cost - user);
      row.querySelector(".cost").textContent = euro(cost);
      row.querySelector(".user").textContent = euro(user);
      row.querySelector(".ente").textContent = euro(ente);
      tc += cost; tu += user; te += ente;
    });
    document.getElementById("total-cost").textContent = euro(cents(tc));
    document.getElementById("total-user").textContent = euro(cents(tu));
    document.getElementById("total-ente").textContent = euro(cents(te));
  }
  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
