/// The dashboard's only script (`/dashboard.js`), hand-written, no framework: it fetches the
/// page's JSON every `refresh_ms` and updates the DOM in place (no reload), sorts and filters
/// the host table, draws the rounds chart as inline SVG and fetches a transcript on demand.
///
/// Every value is set with `textContent`, `setAttribute` or `createElementNS`: nothing from a
/// host is parsed as HTML, so the strict Content-Security-Policy is a second wall, not the only
/// one. `window.dashboard` counts updates (`updates`, `generation`) for the browser tests.
public enum DashboardScript {
    public static let source = #"""
        "use strict";
        (function () {
          const root = document.getElementById("dashboard");
          if (!root) return;
          const page = root.dataset.page;
          const api = root.dataset.api;
          const state = { updates: 0, generation: -1, failures: 0, data: null, sortKey: "host", sortDir: 1 };
          window.dashboard = state;
          const MISSING = "\u2013";

          function el(tag, text, cls) {
            const node = document.createElement(tag);
            if (text !== undefined && text !== null) node.textContent = String(text);
            if (cls) node.className = cls;
            return node;
          }
          function td(text, cls) { return el("td", text === null || text === undefined ? MISSING : text, cls); }
          function chip(text, stateName) { return el("span", text, "chip state-" + stateName); }
          function badge(text, stateName) { return el("span", text, "badge state-" + stateName); }
          function link(href, text) {
            const a = el("a", text);
            a.setAttribute("href", href);
            return a;
          }
          function byId(id) { return document.getElementById(id); }
          function setCard(id, value, stateName) {
            const card = byId("card-" + id);
            if (!card) return;
            card.querySelector(".value").textContent = value === null || value === undefined ? MISSING : String(value);
            card.className = "card" + (stateName ? " state-" + stateName : "");
          }
          function showTable(tableId, emptyId, count) {
            byId(tableId).hidden = count === 0;
            if (emptyId) byId(emptyId).hidden = count !== 0;
          }
          function reachState(reach) {
            return { reachable: "ok", blip: "warn", unreachable: "bad", unreadable: "bad" }[reach] || "muted";
          }
          function severityState(severity) {
            return { critical: "bad", warning: "warn", info: "info" }[severity] || "muted";
          }

          // ---- overview ----
          function renderCounts(data) {
            const c = data.counts;
            setCard("hosts", c.polled === c.hosts ? c.hosts : c.polled + " / " + c.hosts, "info");
            setCard("unreachable", c.unreachable + (c.blip ? " (+" + c.blip + " blip)" : ""),
              c.unreachable ? "bad" : c.blip ? "warn" : "ok");
            setCard("alerts", c.firing_alerts + (c.silenced_alerts ? " (" + c.silenced_alerts + " silenced)" : ""),
              c.firing_alerts > c.silenced_alerts ? "bad" : "ok");
            setCard("throttled", c.throttled, c.throttled ? "warn" : "ok");
            setCard("stopped", c.stopped, c.stopped ? "muted" : "ok");
          }
          function renderAlerts(alerts, withHost) {
            const body = byId("alerts").tBodies[0];
            const rows = document.createDocumentFragment();
            for (const a of alerts) {
              const tr = el("tr", null, "state-" + (a.silenced_by ? "muted" : severityState(a.severity)));
              if (withHost) { const cell = el("td"); cell.appendChild(link(a.url, a.host)); tr.appendChild(cell); }
              tr.appendChild(td(a.detector, "mono"));
              const sev = el("td"); sev.appendChild(badge(a.severity, severityState(a.severity))); tr.appendChild(sev);
              const since = td(a.age_text, "nowrap"); since.setAttribute("title", a.since_text); tr.appendChild(since);
              tr.appendChild(td(a.silenced_by ? "silenced (" + a.silenced_by + ")" : "no"));
              tr.appendChild(td(a.message));
              rows.appendChild(tr);
            }
            body.replaceChildren(rows);
            showTable("alerts", "no-alerts", alerts.length);
          }
          function renderRollout(rollout) {
            const section = byId("rollout-section");
            if (!rollout) { section.hidden = true; return; }
            section.hidden = false;
            byId("rollout-title").textContent = rollout.verb + " " + rollout.id + " to " + rollout.target +
              ": " + rollout.status;
            const rows = document.createDocumentFragment();
            rollout.stages.forEach(function (stage) {
              const tr = el("tr", null, stage.current ? "state-info" : "");
              tr.appendChild(td(stage.label + (stage.current ? " (in progress)" : "")));
              const cell = el("td");
              for (const h of stage.hosts) {
                const s = { healthy: "ok", upgraded: "ok", upgrading: "info", pending: "muted", failed: "bad",
                  unreached: "bad", rolled_back: "warn", rollback_failed: "bad" }[h.state] || "muted";
                const c = chip(h.host + ": " + h.state, s);
                if (h.note) c.setAttribute("title", h.note);
                cell.appendChild(c);
                cell.appendChild(document.createTextNode(" "));
              }
              tr.appendChild(cell);
              rows.appendChild(tr);
            });
            byId("rollout").tBodies[0].replaceChildren(rows);
          }
          function matches(host, terms) {
            if (terms.length === 0) return true;
            const text = [host.host, host.state, host.reachability, host.service, host.phase, host.version,
              host.throttle, host.alerts_text].concat(host.groups).join(" ").toLowerCase();
            return terms.every(function (term) {
              if (term.indexOf("group:") === 0 || term.indexOf("@") === 0) {
                const group = term.slice(term.indexOf("@") === 0 ? 1 : 6);
                return host.groups.some(function (g) { return g.toLowerCase() === group; });
              }
              return text.indexOf(term) !== -1;
            });
          }
          function compare(a, b) {
            const key = state.sortKey;
            let x = a[key], y = b[key];
            if (key === "alerts_text") { x = a.alerts.length * 1000 + a.pending.length; y = b.alerts.length * 1000 + b.pending.length; }
            if (key === "reachability") { x = a.state + a.reachability; y = b.state + b.reachability; }
            const missingX = x === null || x === undefined || x === MISSING;
            const missingY = y === null || y === undefined || y === MISSING;
            if (missingX || missingY) return missingX === missingY ? 0 : missingX ? 1 : -1;
            if (typeof x === "number" && typeof y === "number") return (x - y) * state.sortDir;
            return String(x).localeCompare(String(y), undefined, { numeric: true }) * state.sortDir;
          }
          // Rows are rebuilt only when what they show changed, and moved (not rebuilt) when the
          // order changes: with 1,000 hosts, most rows are the same from one fetch to the next.
          const rowCache = new Map();
          function signature(h) {
            return [h.state, h.reachability, h.service, h.round, h.phase, h.last_exit, h.disk_text, h.throttle,
              h.version, h.alerts.join(","), h.pending.join(","), h.error, h.polled_text, h.groups.join(",")].join("\u0001");
          }
          function buildRow(h) {
            const tr = el("tr", null, "state-" + h.state);
            tr.setAttribute("data-host", h.host);
            tr.setAttribute("data-state", h.state);
            const name = el("td", null, "nowrap");
            name.appendChild(link(h.url, h.host));
            for (const g of h.groups) { name.appendChild(document.createTextNode(" ")); name.appendChild(chip(g, "muted")); }
            tr.appendChild(name);
            const reach = el("td"); reach.appendChild(chip(h.reachability, reachState(h.reachability))); tr.appendChild(reach);
            tr.appendChild(td(h.service));
            tr.appendChild(td(h.round));
            tr.appendChild(td(h.phase));
            const exit = el("td");
            if (h.last_exit === null) exit.textContent = MISSING;
            else if (h.last_exit === 0) exit.textContent = "0";
            else exit.appendChild(badge(String(h.last_exit), "bad"));
            tr.appendChild(exit);
            tr.appendChild(td(h.disk_text, "nowrap"));
            tr.appendChild(td(h.throttle));
            tr.appendChild(td(h.version, "nowrap"));
            const alerts = el("td");
            if (h.alerts.length === 0 && h.pending.length === 0) alerts.textContent = h.error ? "error: " + h.error : MISSING;
            for (const a of h.alerts) { alerts.appendChild(chip(a, h.state === "ok" ? "info" : h.state)); alerts.appendChild(document.createTextNode(" ")); }
            for (const p of h.pending) { alerts.appendChild(chip("(" + p + ")", "muted")); alerts.appendChild(document.createTextNode(" ")); }
            tr.appendChild(alerts);
            tr.appendChild(td(h.polled_text, "nowrap"));
            return tr;
          }
          function renderHosts() {
            const data = state.data;
            if (!data) return;
            const terms = byId("filter").value.toLowerCase().split(/\s+/).filter(Boolean);
            const hosts = data.hosts.filter(function (h) { return matches(h, terms); });
            hosts.sort(function (a, b) { return compare(a, b) || a.host.localeCompare(b.host); });
            const seen = new Set();
            const rows = hosts.map(function (h) {
              seen.add(h.host);
              const sig = signature(h);
              const cached = rowCache.get(h.host);
              if (cached && cached.sig === sig) return cached.tr;
              const tr = buildRow(h);
              rowCache.set(h.host, { sig: sig, tr: tr });
              return tr;
            });
            for (const name of Array.from(rowCache.keys())) { if (!seen.has(name)) rowCache.delete(name); }
            const body = byId("hosts").tBodies[0];
            const current = body.children;
            let same = current.length === rows.length;
            for (let i = 0; same && i < rows.length; i++) same = current[i] === rows[i];
            if (!same) body.replaceChildren(...rows);
            byId("shown").textContent = hosts.length === data.hosts.length ? "" : hosts.length + " of " + data.hosts.length + " shown";
            for (const th of byId("hosts").tHead.rows[0].cells) {
              th.setAttribute("aria-sort", th.dataset.key === state.sortKey ? (state.sortDir > 0 ? "ascending" : "descending") : "none");
            }
          }
          function renderOverview(data) {
            renderCounts(data);
            renderRollout(data.rollout);
            renderAlerts(data.alerts, true);
            renderHosts();
          }
          function saveView() {
            const q = byId("filter").value;
            const hash = "sort=" + encodeURIComponent(state.sortKey) + ":" + (state.sortDir > 0 ? "asc" : "desc") +
              (q ? "&q=" + encodeURIComponent(q) : "");
            history.replaceState(null, "", "#" + hash);
          }
          function loadView() {
            for (const part of location.hash.slice(1).split("&")) {
              const eq = part.indexOf("=");
              if (eq < 0) continue;
              const key = part.slice(0, eq), value = decodeURIComponent(part.slice(eq + 1));
              if (key === "q") byId("filter").value = value;
              if (key === "sort") { const p = value.split(":"); state.sortKey = p[0]; state.sortDir = p[1] === "desc" ? -1 : 1; }
            }
          }
          function setUpOverview() {
            loadView();
            for (const th of byId("hosts").tHead.rows[0].cells) {
              const sort = function () {
                if (state.sortKey === th.dataset.key) state.sortDir = -state.sortDir;
                else { state.sortKey = th.dataset.key; state.sortDir = 1; }
                renderHosts(); saveView();
              };
              th.addEventListener("click", sort);
              th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
            }
            byId("filter").addEventListener("input", function () { renderHosts(); saveView(); });
          }

          // ---- host page ----
          function renderChart(rounds) {
            const box = byId("rounds-chart");
            const ns = "http://www.w3.org/2000/svg";
            const svg = document.createElementNS(ns, "svg");
            const slot = 16, height = 90, pad = 16, width = Math.max(30, rounds.length) * slot;
            svg.setAttribute("viewBox", "0 0 " + width + " " + (height + pad));
            svg.setAttribute("width", String(width));
            svg.setAttribute("height", String(height + pad));
            const max = Math.max(0.001, ...rounds.map(function (r) { return r.duration_s || 0; }));
            rounds.forEach(function (r, i) {
              const value = r.duration_s || 0;
              const h = Math.max(2, Math.round((value / max) * height));
              const bar = document.createElementNS(ns, "rect");
              bar.setAttribute("x", String(i * slot + 2));
              bar.setAttribute("y", String(height - h));
              bar.setAttribute("width", String(slot - 4));
              bar.setAttribute("height", String(h));
              bar.setAttribute("class", r.outcome === "ok" ? "bar-ok" : r.outcome === "running" ? "bar-warn" : "bar-bad");
              const title = document.createElementNS(ns, "title");
              title.textContent = "round " + r.round + ": " + r.duration_text + ", " + r.outcome +
                (r.exit_code !== null ? " (exit " + r.exit_code + ")" : "");
              bar.appendChild(title);
              svg.appendChild(bar);
            });
            const label = document.createElementNS(ns, "text");
            label.setAttribute("x", "2");
            label.setAttribute("y", String(height + pad - 3));
            label.setAttribute("class", "axis");
            const longest = rounds.reduce(function (a, r) { return (r.duration_s || 0) > (a ? a.duration_s || 0 : -1) ? r : a; }, null);
            label.textContent = longest ? rounds.length + " rounds, oldest left; tallest " + longest.duration_text : "no rounds reported yet";
            svg.appendChild(label);
            box.replaceChildren(svg);
          }
          function renderHost(data) {
            const h = data.host;
            setCard("reachability", h.reachability, reachState(h.reachability));
            setCard("service", h.service, h.service === "running" ? "ok" : h.service === "stopped" ? "muted" : "");
            setCard("round", h.round);
            setCard("phase", h.phase);
            setCard("last_exit", h.last_exit, h.last_exit ? "bad" : h.last_exit === 0 ? "ok" : "");
            setCard("disk", h.disk_text, h.disk_used_pct > 90 ? "bad" : h.disk_used_pct > 80 ? "warn" : "");
            setCard("version", h.version);
            setCard("polled", h.polled_text);
            byId("card-polled").querySelector(".label").textContent = "last poll (every " + data.poll_interval_text + ")";
            byId("throttle").hidden = h.throttle === MISSING;
            byId("throttle").textContent = "Throttled: " + h.throttle;
            byId("error").hidden = !h.error;
            byId("error").textContent = h.error ? "Cannot read the host: " + h.error : "";
            renderAlerts(data.firing, false);
            const waiting = data.details !== "shown";
            for (const id of ["rounds-waiting", "events-waiting"]) {
              byId(id).hidden = !waiting;
              byId(id).textContent = "Rounds and events arrive with the host's next poll (every " +
                data.poll_interval_text + "): they are kept only while this page is open.";
            }
            renderChart(data.rounds);
            const rounds = document.createDocumentFragment();
            for (const r of data.rounds.slice().reverse()) {
              const tr = el("tr", null, r.outcome === "ok" ? "" : r.outcome === "running" ? "state-info" : "state-bad");
              tr.appendChild(td(r.round)); tr.appendChild(td(r.phase)); tr.appendChild(td(r.started_text, "nowrap"));
              tr.appendChild(td(r.duration_text, "nowrap")); tr.appendChild(td(r.exit_code));
              const outcome = el("td"); outcome.appendChild(badge(r.outcome, r.outcome === "ok" ? "ok" : r.outcome === "running" ? "info" : "bad"));
              tr.appendChild(outcome);
              rounds.appendChild(tr);
            }
            byId("rounds").tBodies[0].replaceChildren(rounds);
            const events = document.createDocumentFragment();
            for (const e of data.events) {
              const tr = el("tr");
              const time = td(e.age_text, "nowrap"); time.setAttribute("title", e.time_text); tr.appendChild(time);
              const kind = el("td"); kind.appendChild(badge(e.kind, e.family === "plain" ? "muted" : e.family)); tr.appendChild(kind);
              const details = el("td");
              const list = el("ul", null, "pairs");
              for (const pair of e.fields) {
                const item = el("li");
                item.appendChild(el("span", pair[0] + " ", "key"));
                const value = el("span", pair[1], pair[2] ? "value digest" : "value");
                if (pair[2]) value.setAttribute("title", pair[2]);
                item.appendChild(value);
                list.appendChild(item);
              }
              details.appendChild(list);
              tr.appendChild(details);
              events.appendChild(tr);
            }
            byId("events").tBodies[0].replaceChildren(events);
            const history = document.createDocumentFragment();
            for (const a of data.alert_history) {
              const tr = el("tr", null, a.state === "resolved" ? "state-ok" : "state-" + severityState(a.severity));
              const time = td(a.age_text, "nowrap"); time.setAttribute("title", a.time_text); tr.appendChild(time);
              tr.appendChild(td(a.detector, "mono")); tr.appendChild(td(a.state));
              tr.appendChild(td(a.silenced_by ? "silenced (" + a.silenced_by + ")" : "no")); tr.appendChild(td(a.message));
              history.appendChild(tr);
            }
            byId("alert-history").tBodies[0].replaceChildren(history);
            showTable("alert-history", "no-history", data.alert_history.length);
            const throttles = document.createDocumentFragment();
            for (const t of data.throttle_history) {
              const tr = el("tr", null, t.active ? "state-warn" : "");
              tr.appendChild(td(t.text)); tr.appendChild(td(t.first_seen_text, "nowrap"));
              tr.appendChild(td(t.last_seen_text, "nowrap")); tr.appendChild(td(t.active ? "yes" : "no"));
              throttles.appendChild(tr);
            }
            byId("throttles").tBodies[0].replaceChildren(throttles);
            showTable("throttles", "no-throttles", data.throttle_history.length);
            const stops = document.createDocumentFragment();
            for (const line of data.auto_stops) stops.appendChild(el("li", line));
            byId("auto-stops").replaceChildren(stops);
            byId("auto-stops-section").hidden = data.auto_stops.length === 0;
          }
          function setUpHost() {
            const button = byId("fetch-transcript");
            button.addEventListener("click", function () {
              button.disabled = true;
              byId("transcript-note").textContent = "fetching over ssh\u2026";
              fetch(root.dataset.transcript, { cache: "no-store" })
                .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
                .then(function (t) {
                  const pre = byId("transcript");
                  pre.hidden = false;
                  pre.textContent = t.text !== null ? (t.text || "(the round log is empty)") : t.error;
                  pre.className = t.text !== null ? "log" : "log state-bad";
                  byId("transcript-note").textContent = (t.round !== null ? "round " + t.round + ", " : "") +
                    "fetched " + t.fetched_text;
                })
                .catch(function (e) { byId("transcript-note").textContent = "fetch failed: " + e.message; })
                .then(function () { button.disabled = false; });
            });
          }

          // ---- live updates ----
          function render(data) {
            if (page === "overview") renderOverview(data); else renderHost(data);
          }
          function refresh() {
            fetch(api, { cache: "no-store" })
              .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
              .then(function (data) {
                state.failures = 0;
                byId("stale").hidden = true;
                const generated = byId("generated");
                if (generated) { generated.textContent = "generated " + data.generated_text; }
                if (data.generation !== state.generation || page !== "overview") {
                  state.data = data;
                  state.generation = data.generation;
                  render(data);
                }
                state.updates += 1;
                root.dataset.updates = String(state.updates);
                root.dataset.generation = String(state.generation);
                schedule(data.refresh_ms);
              })
              .catch(function (e) {
                state.failures += 1;
                const stale = byId("stale");
                stale.hidden = false;
                stale.textContent = "Updates stopped: " + e.message + " (fleetctl watch gone?). Retrying\u2026";
                schedule(Math.min(30000, 2000 * state.failures));
              });
          }
          function schedule(ms) { setTimeout(refresh, Math.max(1000, ms || 5000)); }
          if (page === "overview") setUpOverview(); else setUpHost();
          refresh();
        })();
        """#
}
