import FleetCore

/// The content of the progress page (inside ``PageShell``), built from the `/api/state`
/// document: banners, the narrative, the round's cards, the recent events table and the round
/// log tail.
///
/// Every value read from a log is escaped here (an agent controls those bytes); the text forms
/// come from ``HumanText`` and ``EventPayloadText``. ``ProgressPageScript`` rebuilds the same
/// elements (same ids, classes and texts) from a fresh `/api/state` every 5 s, so the page and
/// its live updates must change together.
enum ProgressPageBody {
    static func render(_ state: JSONValue, now: Double) -> String {
        """
        <p class="stale" id="stale" role="status" hidden></p>
        <div id="banners">\(banners(state, now: now))</div>
        <section class="narrative" aria-labelledby="narrative-title">
        <h2 id="narrative-title">Narrative</h2>
        \(narrative(state["narrative"]?.stringValue ?? ""))
        </section>
        <section aria-labelledby="round-title">
        <h2 id="round-title">Round</h2>
        <div class="cards" id="cards">\(cards(state["round_state"], now: now))</div>
        </section>
        <section aria-labelledby="events-title">
        <h2 id="events-title">Recent events</h2>
        <div class="table-wrap"><table class="events">
        <thead><tr><th>time</th><th>age</th><th>kind</th><th>details</th></tr></thead>
        <tbody id="events">\(events(state["recent_events"]?.arrayValue ?? [], now: now))</tbody>
        </table></div>
        </section>
        <section aria-labelledby="log-title">
        <h2 id="log-title">Round log tail</h2>
        \(logTail(state["round_log_tail"]?.stringValue ?? ""))
        </section>
        <p class="muted">Updates every 5 s without reloading. Raw data: <a href="/api/state">/api/state</a></p>
        """
    }

    /// The throttle in force and the agent's own stop, when present.
    static func banners(_ state: JSONValue, now: Double) -> String {
        var html = ""
        if let limit = state["rate_limit"], limit.objectValue != nil {
            let until = epoch(limit["throttled_until_iso"])
            let round = limit["since_round"].map { EventPayloadText.value($0, key: "") } ?? HumanText.missing
            let when = until.map {
                "\(HumanText.time(epochSeconds: $0)) (\(HumanText.age(epochSeconds: $0, now: now)))"
            }
            let text =
                "Throttled until \(when ?? HumanText.missing)"
                + " · limit: \(text(limit["limit_type"])) · since round \(round) · phase: \(text(limit["phase"]))"
            html += "<p class=\"banner \(StateClass.warn.cssClass)\" id=\"throttle\">\(HTML.escape(text))</p>"
        }
        if let terminated = state["self_terminated"], terminated["present"]?.boolValue == true {
            let text = "The agent ended its run (.agent-done): " + self.text(terminated["reason"])
            html += "<p class=\"banner \(StateClass.info.cssClass)\" id=\"self-terminated\">\(HTML.escape(text))</p>"
        }
        return html
    }

    static func narrative(_ text: String) -> String {
        text.isEmpty
            ? "<div class=\"text muted\" id=\"narrative-text\">\(HumanText.missing)</div>"
            : "<div class=\"text\" id=\"narrative-text\">\(DigestAbbreviation.html(text))</div>"
    }

    /// One card: what the value is, the value, an optional detail under it.
    struct Card: Equatable {
        var id: String
        var label: String
        var value: String
        var detail: String? = nil
        var state: StateClass? = nil
    }

    static func cardValues(_ round: JSONValue?, now: Double) -> [Card] {
        let number = round?["round_num"]?.intValue ?? 0
        let running = round?["running"]?.boolValue == true
        let outcome = round?["last_outcome"]?.stringValue
        let completed = epoch(round?["last_completed_at"])
        return [
            Card(id: "round", label: "round", value: number > 0 ? String(number) : HumanText.missing),
            Card(id: "phase", label: "phase", value: text(round?["phase"])),
            Card(id: "running", label: "agent running", value: running ? "yes" : "no", state: running ? .info : .muted),
            Card(
                id: "outcome", label: "last outcome", value: outcome ?? HumanText.missing,
                state: outcome == "ok" ? .ok : outcome == nil ? .muted : .bad),
            Card(
                id: "duration", label: "last duration",
                value: HumanText.duration(seconds: round?["last_duration_s"]?.doubleValue)),
            Card(
                id: "completed", label: "last completed", value: HumanText.age(epochSeconds: completed, now: now),
                detail: HumanText.time(epochSeconds: completed)),
        ]
    }

    static func cards(_ round: JSONValue?, now: Double) -> String {
        cardValues(round, now: now).map { card in
            let classes = card.state.map { "card " + $0.cssClass } ?? "card"
            let detail = card.detail.map { "<span class=\"detail\">\(HTML.escape($0))</span>" } ?? ""
            return "<div class=\"\(classes)\" id=\"card-\(card.id)\"><span class=\"label\">\(card.label)</span>"
                + "<span class=\"value\">\(HTML.escape(card.value))</span>\(detail)</div>"
        }.joined()
    }

    /// Newest first; each row coloured by its kind's family.
    static func events(_ events: [JSONValue], now: Double) -> String {
        let objects = events.compactMap(\.objectValue)
        if objects.isEmpty { return "<tr><td colspan=\"4\" class=\"muted\">\(HumanText.missing)</td></tr>" }
        return objects.reversed().map { event in
            let kind = event["event"]?.stringValue ?? HumanText.missing
            let state = EventKindFamily.state(of: kind)
            let at = epoch(event["ts"])
            let pairs = EventPayloadText.pairs(event)
            let details =
                pairs.isEmpty
                ? "<td class=\"muted\">\(HumanText.missing)</td>"
                : "<td><ul class=\"pairs\">"
                    + pairs.map {
                        "<li><span class=\"key\">\(HTML.escape($0.key))</span>: "
                            + "<span class=\"value\">\(DigestAbbreviation.html($0.value))</span></li>"
                    }.joined() + "</ul></td>"
            return (state.map { "<tr class=\"\($0.cssClass)\">" } ?? "<tr>")
                + "<td class=\"nowrap mono\">\(HumanText.time(epochSeconds: at))</td>"
                + "<td class=\"nowrap\">\(HumanText.age(epochSeconds: at, now: now))</td>"
                + "<td><span class=\"badge\(state.map { " " + $0.cssClass } ?? "")\">\(HTML.escape(kind))</span></td>"
                + details + "</tr>"
        }.joined()
    }

    static func logTail(_ text: String) -> String {
        text.isEmpty
            ? "<pre class=\"log muted\" id=\"log-tail\">\(HumanText.missing)</pre>"
            : "<pre class=\"log\" id=\"log-tail\">\(HTML.escape(text))</pre>"
    }

    /// A value as the payload shows it; absent as ``HumanText/missing``.
    static func text(_ value: JSONValue?) -> String {
        value.map { EventPayloadText.value($0, key: "") } ?? HumanText.missing
    }

    /// Unix seconds from an event timestamp (`2026-11-25T13:38:36.320Z`, `...+00:00`) or a number.
    static func epoch(_ value: JSONValue?) -> Double? {
        if let string = value?.stringValue, let instant = EventTimestamp.parse(string) {
            return ProgressPage.seconds(instant)
        }
        if case .string = value { return nil }
        return value?.doubleValue
    }
}
