// Atelier's pages: the small interactions that need a script. Every page works without it;
// with it, prices appear as soon as they are calculated and dashboards stay current.
"use strict";
(function () {
  const $ = (selector, root) => (root || document).querySelector(selector);
  const $$ = (selector, root) => Array.from((root || document).querySelectorAll(selector));

  /** A text of the page's language (the layout's <template id="texts">), its {names} filled. */
  const texts = Object.fromEntries($$("[data-key]", $("#texts")?.content).map((e) => [e.dataset.key, e.textContent.trim()]));
  function say(key, values) {
    return (texts[key] || key).replace(/\{(\w+)\}/g, (whole, name) => (values && name in values ? values[name] : whole));
  }
  const megabytes = (bytes) => String(Math.round(bytes / 1048576));

  /** The server's reason from a problem+json answer, or a plain sentence. */
  async function reason(response) {
    try {
      const problem = await response.json();
      if (problem.detail) return problem.detail;
    } catch (_) { /* not JSON */ }
    return say("http", { status: response.status });
  }

  async function json(url, options) {
    const response = await fetch(url, Object.assign({ credentials: "same-origin" }, options, {
      headers: Object.assign({ Accept: "application/json" }, (options || {}).headers),
    }));
    if (!response.ok) throw new Error(await reason(response));
    return response.json();
  }

  function showError(element, message) {
    if (!element) return;
    element.textContent = message || "";
    element.hidden = !message;
  }

  // Print buttons (the parcel label).
  for (const button of $$("button[data-print]")) button.addEventListener("click", () => window.print());

  // A form sent once: its buttons are disabled while the next page loads.
  for (const form of $$("form[data-once]")) {
    form.addEventListener("submit", () => setTimeout(() => $$("button[type=submit]", form).forEach((b) => { b.disabled = true; }), 0));
  }

  // Metal colours for the viewer.
  function colourOf(material) {
    if (/rose|red/.test(material)) return [0.86, 0.55, 0.45];
    if (/white|silver|plat|palladium/.test(material)) return [0.8, 0.81, 0.84];
    return [0.86, 0.69, 0.33];
  }
  function followMetal(form, figure) {
    const select = $("select[name=material]", form);
    if (!select || !figure) return;
    const apply = () => window.AtelierViewer.viewerOf(figure).setColour(colourOf(select.value));
    select.addEventListener("change", apply);
    apply();
  }

  // The wall thickness on an order's model, and its thin regions one by one.
  function showThickness(button, figure) {
    if (!figure) return;
    const wall = parseFloat(button.dataset.wall);
    const regions = (button.dataset.regions || "").split(";").filter(Boolean).map((r) => r.split(" ").map(Number));
    const next = $("#next-region");
    let region = -1;
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        const response = await fetch(button.dataset.thickness, { credentials: "same-origin" });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const values = new Float32Array(await response.arrayBuffer());
        if (window.AtelierViewer.viewerOf(figure).showThickness(values, wall)) {
          $("#thickness-legend").hidden = false;
          if (next && regions.length) next.hidden = false;
        }
      } catch (error) {
        figure.dataset.error = error.message;
        button.disabled = false;
      }
    });
    if (next) next.addEventListener("click", () => {
      region = (region + 1) % regions.length;
      window.AtelierViewer.viewerOf(figure).face(regions[region]);
      figure.dataset.region = String(region + 1);
    });
  }

  // Models on order and catalog pages.
  for (const figure of $$("figure[data-viewer][data-src]")) {
    if (figure.closest("[data-constructor]") || figure.id === "constructor-viewer") continue;
    window.AtelierViewer.load(figure, figure.dataset.src).catch((error) => { figure.dataset.error = error.message; });
  }
  for (const form of $$("form[action='/orders']")) followMetal(form, $("figure[data-viewer]"));
  for (const button of $$("#show-thickness")) showThickness(button, $("figure[data-viewer]"));

  // The price panel of the design and constructor pages.
  function renderEstimate(estimate) {
    const panel = $("#estimate");
    if (!panel) return;
    const body = $("#estimate-lines tbody");
    body.replaceChildren(...estimate.lines.map((line) => {
      const row = document.createElement("tr");
      const label = document.createElement("th"), amount = document.createElement("td");
      label.scope = "row"; label.textContent = line.label; amount.textContent = line.amount;
      row.append(label, amount);
      return row;
    }));
    $("#estimate-total").textContent = estimate.total;
    $("#estimate-lines").hidden = false;
    $("#estimate-state").textContent = say("calculated");
    $("#estimate-facts").textContent = say("facts", estimate) + (estimate.watertight ? "" : " " + say("open"));
    panel.dataset.total = estimate.total;
    panel.setAttribute("aria-busy", "false");
  }
  function estimating(message) {
    const panel = $("#estimate");
    if (!panel) return;
    panel.setAttribute("aria-busy", "true");
    delete panel.dataset.total;
    $("#estimate-lines").hidden = true;
    $("#estimate-state").textContent = message;
    $("#estimate-facts").textContent = "";
  }
  function choices(form) {
    const query = new URLSearchParams();
    query.set("material", $("select[name=material]", form).value);
    for (const box of $$("input[name=finish]:checked", form)) query.append("finish", box.value);
    return query;
  }

  // Design your own: the chosen file is shown at once and priced by the server.
  const design = $("form[data-design]");
  if (design) {
    const figure = $("#upload-viewer"), input = $("#model"), button = $("#order-model"), error = $("#design-error");
    let file = null, sequence = 0;
    followMetal(design, figure);
    async function estimate() {
      if (!file || !button) return;
      const mine = ++sequence;
      button.disabled = true;
      estimating(say("calculating"));
      const query = choices(design);
      query.set("filename", file.name);
      try {
        const result = await json(`/design/estimate?${query}`, { method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" } });
        if (mine !== sequence) return;
        showError(error, "");
        renderEstimate(result);
        button.disabled = false;
      } catch (failure) {
        if (mine !== sequence) return;
        showError(error, failure.message);
        estimating(say("refused"));
      }
    }
    input.addEventListener("change", async () => {
      file = input.files[0] || null;
      showError(error, "");
      if (!file) return;
      // A file past the limit is neither drawn nor sent: reading it would only freeze the tab.
      const limit = +design.dataset.maxBytes;
      if (limit && file.size > limit) {
        showError(error, say("tooLarge", { size: megabytes(file.size), limit: megabytes(limit) }));
        estimating(say("refused"));
        file = null;
        if (button) button.disabled = true;
        return;
      }
      try {
        window.AtelierViewer.show(figure, await file.arrayBuffer(), file.name);
        $(".viewer-empty", figure)?.remove();
      } catch (failure) {
        if (!button) showError(error, failure.message);   // signed in, the server says why
      }
      estimate();
    });
    for (const field of $$("select[name=material], input[name=finish]", design)) field.addEventListener("change", estimate);
    design.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!file || !button) return;
      button.disabled = true;
      const query = choices(design);
      query.set("filename", file.name);
      try {
        const created = await json(`/design/order?${query}`, { method: "POST", body: file, headers: { "Content-Type": "application/octet-stream" } });
        window.location.assign(created.location);
      } catch (failure) {
        showError(error, failure.message);
        button.disabled = false;
      }
    });
  }

  // The constructor: the server makes the model; the preview and the price follow every change.
  const constructor = $("form[data-constructor]");
  if (constructor) {
    const figure = $("#constructor-viewer"), error = $("#design-error"), button = $("#order-design");
    let timer = null, sequence = 0;
    followMetal(constructor, figure);
    const kind = () => $("input[name=kind]:checked", constructor).value;
    async function update() {
      for (const set of $$("fieldset[data-for]", constructor)) set.hidden = set.dataset.for !== kind();
      const query = new URLSearchParams(new FormData(constructor));
      const mine = ++sequence;
      estimating(say("calculating"));
      if (button) button.disabled = true;
      try {
        const [, result] = await Promise.all([
          window.AtelierViewer.load(figure, `/constructor/model.stl?${query}`),
          json(`/constructor/estimate?${query}`),
        ]);
        if (mine !== sequence) return;
        showError(error, "");
        renderEstimate(result);
        if (button) button.disabled = false;
      } catch (failure) {
        if (mine !== sequence) return;
        showError(error, failure.message);
        estimating(say("impossible"));
      }
    }
    constructor.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(update, 250); });
    constructor.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(update, 50); });
    update();
  }

  // A customer's order: the page follows its status by itself.
  const status = $("#order-status[data-poll]");
  if (status) {
    const poll = setInterval(async () => {
      try {
        const now = await json(status.dataset.poll);
        if (now.status !== status.dataset.status) { clearInterval(poll); window.location.reload(); }
      } catch (_) { /* try again on the next tick */ }
    }, 2000);
  }

  // The operators' dashboard: server-sent events say when counts change; the list is fetched again.
  const live = $("#live[data-events]");
  if (live && window.EventSource) {
    const state = $("#live-state");
    const setState = (code, text) => { state.dataset.state = code; state.textContent = text; };
    const shown = () => Object.fromEntries($$("[data-status] strong", live).map((s) => [s.parentElement.dataset.status, +s.textContent]));
    let refreshing = false, again = false;
    async function refresh() {
      if (refreshing) { again = true; return; }
      refreshing = true;
      try {
        const response = await fetch(window.location.pathname + window.location.search, { headers: { "X-Fragment": "live" }, credentials: "same-origin" });
        if (response.ok) {
          const focused = document.activeElement && document.activeElement.closest("[data-order]");
          live.innerHTML = await response.text();
          live.dataset.refreshed = String(+(live.dataset.refreshed || 0) + 1);
          const target = focused && $(`[data-order="${focused.dataset.order}"] button, [data-order="${focused.dataset.order}"] a`, live);
          if (target) target.focus();
        }
      } finally {
        refreshing = false;
        if (again) { again = false; refresh(); }
      }
    }
    const events = new EventSource(live.dataset.events);
    events.addEventListener("open", () => setState("open", say("liveOpen")));
    events.addEventListener("error", () => setState("reconnecting", say("liveReconnecting")));
    events.addEventListener("counts", (event) => {
      const counts = JSON.parse(event.data), seen = shown();
      if (Object.keys(counts).some((code) => code in seen && counts[code] !== seen[code])) refresh();
    });
  }

  // The person's time zone, so that the server writes times as their clock shows them.
  try {
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && !document.cookie.split("; ").includes(`atelier_tz=${encodeURIComponent(zone)}`)) {
      document.cookie = `atelier_tz=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
    }
  } catch (_) { /* no Intl: the workshop's time zone stays */ }
})();
