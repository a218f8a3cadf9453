import FleetCore

/// The progress page's script, served at `/progress.js`: every 5 s it fetches `/api/state`
/// and rebuilds the banners, narrative, cards, events table and log tail in place, so the
/// page stays current without the reload of the original's `<meta refresh>` (which lost the
/// reader's scroll position and text selection every 5 s). When a fetch fails it keeps the last
/// data and shows the `.stale` banner until one succeeds again.
///
/// Hand-written, no library, and it writes the DOM with `textContent` and `createElement` only,
/// never `innerHTML`: the state holds bytes an agent controls. It mirrors ``ProgressPageBody``
/// (ids, classes, texts), ``HumanText``, ``EventPayloadText`` and ``DigestAbbreviation``; the
/// kind colours come from ``EventKindFamily/rules`` itself. `window.progressPage` exposes the
/// formatters so the browser test compares them with the Swift ones.
public enum ProgressPageScript {
    public static let path = "/progress.js"
    public static let refreshMilliseconds = 5_000

    public static let source: String = #"""
        "use strict";
        (function () {
          const MISSING = "\u2013";
          const FAMILIES = \#(families);
          const DIGEST_MIN = \#(DigestAbbreviation.minimumLength);
          const DIGEST_SHOWN = \#(DigestAbbreviation.shownLength);
          const REFRESH_MS = \#(refreshMilliseconds);

          function usable(x) { return typeof x === "number" && isFinite(x) && Math.abs(x) < 1e15; }
          function oneDecimal(tenths) { return Math.floor(tenths / 10) + "." + (tenths % 10); }
          function pair(major, majorUnit, minor, minorUnit) {
            return minor === 0 ? major + " " + majorUnit : major + " " + majorUnit + " " + minor + " " + minorUnit;
          }

          function duration(seconds) {
            if (!usable(seconds)) return MISSING;
            if (seconds < 0) return "-" + duration(-seconds);
            const ms = Math.round(seconds * 1000);
            if (ms < 1000) return ms + " ms";
            const tenths = Math.round(seconds * 10);
            if (tenths < 600) return (tenths % 10 === 0 ? tenths / 10 : oneDecimal(tenths)) + " s";
            const whole = Math.round(seconds);
            if (whole < 3600) return pair(Math.floor(whole / 60), "min", whole % 60, "s");
            if (whole < 86400) return pair(Math.floor(whole / 3600), "h", Math.floor((whole % 3600) / 60), "min");
            return pair(Math.floor(whole / 86400), "d", Math.floor((whole % 86400) / 3600), "h");
          }

          function time(epoch) {
            if (!usable(epoch) || Math.abs(epoch) > 8.64e12) return MISSING;
            const iso = new Date(Math.floor(epoch) * 1000).toISOString();
            return iso.slice(0, 10) + " " + iso.slice(11, 19) + " UTC";
          }

          function age(epoch, now) {
            if (typeof epoch !== "number" || !isFinite(epoch) || !isFinite(now)) return MISSING;
            const delta = now - epoch;
            if (!(Math.abs(delta) < 1e15)) return MISSING;
            if (Math.abs(delta) < 5) return "just now";
            const span = Math.floor(Math.abs(delta));
            let amount;
            if (span < 60) amount = span + " s";
            else if (span < 3600) amount = Math.floor(span / 60) + " min";
            else if (span < 86400) amount = Math.floor(span / 3600) + " h";
            else amount = Math.floor(span / 86400) + " d";
            return delta > 0 ? amount + " ago" : "in " + amount;
          }

          function bytes(count) {
            if (!Number.isSafeInteger(count)) return MISSING;
            if (count < 0) return "-" + bytes(-count);
            if (count < 1024) return count + " B";
            const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
            let value = count;
            for (let i = 0; i < units.length; i++) {
              value /= 1024;
              const tenths = Math.round(value * 10);
              if (tenths < 10240 || i === units.length - 1) return oneDecimal(tenths) + " " + units[i];
            }
            return MISSING;
          }

          function percent(value) {
            if (!usable(value)) return MISSING;
            const tenths = Math.round(Math.abs(value) * 10);
            return (value < 0 && tenths > 0 ? "-" : "") + oneDecimal(tenths) + "%";
          }

          function numberText(number, key) {
            if (key.endsWith("_ms")) return duration(number / 1000);
            if (key.endsWith("_s")) return duration(number);
            if (key.endsWith("_pct")) return percent(number);
            if (key.endsWith("_epoch")) return time(number);
            const factor = key.endsWith("_bytes") ? 1 : key.endsWith("_kb") ? 1024 : key.endsWith("_mb") ? 1048576 : 0;
            if (factor) return bytes(Math.round(number * factor));
            return String(number);
          }

          function valueText(value, key) {
            if (value === null || value === undefined) return MISSING;
            if (typeof value === "boolean") return value ? "yes" : "no";
            if (typeof value === "number") return numberText(value, key);
            if (typeof value === "string") return value === "" ? MISSING : value;
            if (Array.isArray(value)) {
              return "[" + value.map(function (item) { return valueText(item, ""); }).join(", ") + "]";
            }
            const members = Object.keys(value).map(function (name) {
              return name + ": " + valueText(value[name], "");
            });
            return "{" + members.join(", ") + "}";
          }

          function text(value) { return value === undefined ? MISSING : valueText(value, ""); }

          function kindState(kind) {
            for (const [state, words] of FAMILIES) {
              if (words.some(function (word) { return kind.indexOf(word) >= 0; })) return state;
            }
            return "";
          }

          function isDigit(c) { return c >= 48 && c <= 57; }
          function isLetter(c) { const l = c | 0x20; return l >= 97 && l <= 122; }
          function isHex(c) { const l = c | 0x20; return isDigit(c) || (l >= 97 && l <= 102); }
          function isWord(c) { return isLetter(c) || isDigit(c) || c === 95 || c >= 0x80; }

          function prefixStart(source, hexStart) {
            const colon = hexStart - 1;
            if (colon <= 0 || source.charCodeAt(colon) !== 58) return hexStart;
            let start = colon;
            while (start > 0 && isWord(source.charCodeAt(start - 1))) start--;
            const length = colon - start;
            if (length < 2 || length > 10 || !isLetter(source.charCodeAt(start))) return hexStart;
            for (let i = start; i < colon; i++) {
              const c = source.charCodeAt(i);
              if (!isLetter(c) && !isDigit(c)) return hexStart;
            }
            return start;
          }

          function digestPieces(source) {
            const pieces = [];
            let plain = 0;
            let index = 0;
            while (index < source.length) {
              if (!isWord(source.charCodeAt(index))) { index++; continue; }
              let end = index;
              let hex = true, digit = false, letter = false;
              while (end < source.length && isWord(source.charCodeAt(end))) {
                const c = source.charCodeAt(end);
                if (!isHex(c)) hex = false; else if (isDigit(c)) digit = true; else letter = true;
                end++;
              }
              if (end - index >= DIGEST_MIN && hex && digit && letter) {
                const start = prefixStart(source, index);
                if (start > plain) pieces.push({ text: source.slice(plain, start) });
                const prefix = source.slice(start, index);
                const run = source.slice(index, end);
                pieces.push({ full: prefix + run, short: prefix + run.slice(0, DIGEST_SHOWN) + "\u2026" });
                plain = end;
              }
              index = end;
            }
            if (plain < source.length) pieces.push({ text: source.slice(plain) });
            return pieces;
          }

          function epochOf(value) {
            if (typeof value === "number") return value;
            if (typeof value !== "string") return null;
            const ms = Date.parse(value);
            return isNaN(ms) ? null : ms / 1000;
          }

          function element(tag, className, content) {
            const node = document.createElement(tag);
            if (className) node.className = className;
            if (content !== undefined) node.textContent = content;
            return node;
          }

          function appendAbbreviated(parent, source) {
            for (const piece of digestPieces(source)) {
              if (piece.text !== undefined) {
                parent.appendChild(document.createTextNode(piece.text));
              } else {
                const span = element("span", "digest", piece.short);
                span.title = piece.full;
                parent.appendChild(span);
              }
            }
          }

          function replaceChildren(parent, children) {
            while (parent.firstChild) parent.removeChild(parent.firstChild);
            for (const child of children) parent.appendChild(child);
          }

          function banners(state, now) {
            const nodes = [];
            const limit = state.rate_limit;
            if (limit && typeof limit === "object") {
              const until = epochOf(limit.throttled_until_iso);
              const when = until === null ? MISSING : time(until) + " (" + age(until, now) + ")";
              const round = limit.since_round === undefined ? MISSING : valueText(limit.since_round, "");
              const line = "Throttled until " + when + " \u00b7 limit: " + text(limit.limit_type) +
                " \u00b7 since round " + round + " \u00b7 phase: " + text(limit.phase);
              const node = element("p", "banner state-warn", line);
              node.id = "throttle";
              nodes.push(node);
            }
            const terminated = state.self_terminated;
            if (terminated && terminated.present === true) {
              const line = "The agent ended its run (.agent-done): " + text(terminated.reason);
              const node = element("p", "banner state-info", line);
              node.id = "self-terminated";
              nodes.push(node);
            }
            return nodes;
          }

          function cardValues(round, now) {
            round = round || {};
            const number = typeof round.round_num === "number" ? round.round_num : 0;
            const running = round.running === true;
            const outcome = typeof round.last_outcome === "string" ? round.last_outcome : null;
            const completed = epochOf(round.last_completed_at);
            const lastDuration = typeof round.last_duration_s === "number" ? round.last_duration_s : null;
            return [
              { id: "round", label: "round", value: number > 0 ? String(number) : MISSING },
              { id: "phase", label: "phase", value: text(round.phase) },
              {
                id: "running", label: "agent running", value: running ? "yes" : "no",
                state: running ? "state-info" : "state-muted",
              },
              {
                id: "outcome", label: "last outcome", value: outcome === null ? MISSING : outcome,
                state: outcome === "ok" ? "state-ok" : outcome === null ? "state-muted" : "state-bad",
              },
              { id: "duration", label: "last duration", value: duration(lastDuration) },
              { id: "completed", label: "last completed", value: age(completed, now), detail: time(completed) },
            ];
          }

          function cards(round, now) {
            return cardValues(round, now).map(function (card) {
              const node = element("div", card.state ? "card " + card.state : "card");
              node.id = "card-" + card.id;
              node.appendChild(element("span", "label", card.label));
              node.appendChild(element("span", "value", card.value));
              if (card.detail !== undefined) node.appendChild(element("span", "detail", card.detail));
              return node;
            });
          }

          function eventRows(events, now) {
            const objects = (Array.isArray(events) ? events : []).filter(function (e) {
              return e !== null && typeof e === "object" && !Array.isArray(e);
            });
            if (objects.length === 0) {
              const row = element("tr");
              const cell = element("td", "muted", MISSING);
              cell.colSpan = 4;
              row.appendChild(cell);
              return [row];
            }
            return objects.slice().reverse().map(function (event) {
              const kind = typeof event.event === "string" ? event.event : MISSING;
              const state = kindState(kind);
              const at = epochOf(event.ts);
              const row = element("tr", state);
              row.appendChild(element("td", "nowrap mono", time(at)));
              row.appendChild(element("td", "nowrap", age(at, now)));
              const kindCell = element("td");
              kindCell.appendChild(element("span", state ? "badge " + state : "badge", kind));
              row.appendChild(kindCell);
              const keys = Object.keys(event).filter(function (k) { return k !== "ts" && k !== "event"; });
              if (keys.length === 0) {
                row.appendChild(element("td", "muted", MISSING));
              } else {
                const cell = element("td");
                const list = element("ul", "pairs");
                for (const key of keys) {
                  const item = element("li");
                  item.appendChild(element("span", "key", key));
                  item.appendChild(document.createTextNode(": "));
                  const value = element("span", "value");
                  appendAbbreviated(value, valueText(event[key], key));
                  item.appendChild(value);
                  list.appendChild(item);
                }
                cell.appendChild(list);
                row.appendChild(cell);
              }
              return row;
            });
          }

          function render(state, now) {
            replaceChildren(document.getElementById("banners"), banners(state, now));
            const narrative = document.getElementById("narrative-text");
            const story = typeof state.narrative === "string" ? state.narrative : "";
            narrative.className = story === "" ? "text muted" : "text";
            replaceChildren(narrative, []);
            if (story === "") narrative.textContent = MISSING; else appendAbbreviated(narrative, story);
            replaceChildren(document.getElementById("cards"), cards(state.round_state, now));
            replaceChildren(document.getElementById("events"), eventRows(state.recent_events, now));
            const log = document.getElementById("log-tail");
            const tail = typeof state.round_log_tail === "string" ? state.round_log_tail : "";
            log.className = tail === "" ? "log muted" : "log";
            log.textContent = tail === "" ? MISSING : tail;
            const generated = document.getElementById("generated");
            const iso = new Date(Math.floor(now) * 1000).toISOString();
            generated.setAttribute("datetime", iso.slice(0, 19) + "Z");
            generated.textContent = "generated " + iso.slice(11, 19) + " UTC";
          }

          function showStale(reason) {
            const stale = document.getElementById("stale");
            if (!stale.hidden) return;
            const since = new Date().toISOString().slice(11, 19);
            stale.textContent = "Updates stopped at " + since + " UTC (" + reason + "): the page shows the last " +
              "data it got and retries every " + REFRESH_MS / 1000 + " s. Is agent-runner monitor still running?";
            stale.hidden = false;
          }

          let refreshes = 0;
          function refresh() {
            const controller = typeof AbortController === "function" ? new AbortController() : null;
            const timer = controller ? setTimeout(function () { controller.abort(); }, REFRESH_MS - 500) : null;
            return fetch("/api/state", { cache: "no-store", signal: controller ? controller.signal : undefined })
              .then(function (response) {
                if (!response.ok) throw new Error("HTTP " + response.status);
                return response.json();
              })
              .then(function (state) {
                render(state, Date.now() / 1000);
                document.getElementById("stale").hidden = true;
                refreshes++;
              })
              .catch(function (error) { showStale(String(error && error.message ? error.message : error)); })
              .finally(function () { if (timer) clearTimeout(timer); });
          }

          function loop() { refresh().finally(function () { setTimeout(loop, REFRESH_MS); }); }

          window.progressPage = Object.freeze({
            duration: duration, time: time, age: age, bytes: bytes, percent: percent, valueText: valueText,
            kindState: kindState, digestPieces: digestPieces, refresh: refresh,
            refreshes: function () { return refreshes; },
          });
          setTimeout(loop, REFRESH_MS);
        })();

        """#

    /// ``EventKindFamily/rules`` as a JSON array of `[cssClass, [words]]`.
    static var families: String {
        JSONWriter(style: .compact).string(
            .array(
                EventKindFamily.rules.map { rule in
                    .array([.string(rule.state.cssClass), .array(rule.words.map { .string($0) })])
                }))
    }
}
