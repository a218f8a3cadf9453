import FleetCore

/// The dashboard's two HTML pages: frames that ``DashboardScript`` fills from the JSON
/// documents (and refreshes in place every poll interval). The frames hold no remote text but
/// the host's name on its own page, escaped; everything else arrives as JSON and is set with
/// `textContent`, so no string a host controls is ever parsed as HTML.
public enum DashboardPage {
    /// `/`: counts, the rollout in progress, firing alerts, the host table.
    public static func overview(fleetName: String, now: UTCInstant, refreshMS: Int) -> String {
        let body = """
            <div id="dashboard" data-page="overview" data-api="\(DashboardPaths.state)" data-refresh="\(refreshMS)">
            <div class="stale" id="stale" hidden></div>
            <section class="cards" id="counts" aria-label="Fleet counts">
            \(card("hosts", "hosts"))
            \(card("unreachable", "unreachable"))
            \(card("alerts", "firing alerts"))
            \(card("throttled", "throttled"))
            \(card("stopped", "stopped"))
            </section>
            <section id="rollout-section" hidden>
            <h2>Rollout <span id="rollout-title" class="muted"></span></h2>
            <div class="table-wrap"><table id="rollout"><thead><tr><th>Stage</th><th>Hosts</th></tr></thead>
            <tbody></tbody></table></div>
            </section>
            <section>
            <h2>Firing alerts</h2>
            <p class="muted" id="no-alerts">None firing.</p>
            <div class="table-wrap"><table id="alerts" hidden><thead><tr><th>Host</th><th>Detector</th>
            <th>Severity</th><th>Since</th><th>Silenced</th><th>Message</th></tr></thead><tbody></tbody></table></div>
            </section>
            <section>
            <h2>Hosts</h2>
            <input class="filter" id="filter" type="search" autocomplete="off"
             placeholder="Filter: host, state, alert, @group" aria-label="Filter hosts">
            <span class="muted" id="shown"></span>
            <div class="table-wrap"><table class="hosts" id="hosts"><thead><tr>
            \(header("host", "Host"))\(header("reachability", "Reach"))\(header("service", "Service"))\
            \(header("round", "Round"))\(header("phase", "Phase"))\(header("last_exit", "Exit"))\
            \(header("disk_used_pct", "Disk"))\(header("throttle", "Throttle"))\(header("version", "Version"))\
            \(header("alerts_text", "Alerts"))\(header("polled_at", "Polled"))
            </tr></thead><tbody></tbody></table></div>
            </section>
            <noscript><p>This page fills itself with JavaScript; the same data is at
            <a href="\(DashboardPaths.state)">\(DashboardPaths.state)</a>.</p></noscript>
            </div>
            """
        return PageShell.render(
            title: "Fleet", subtitle: fleetName, generatedAt: Seconds.epoch(now), scripts: [DashboardPaths.script],
            body: body)
    }

    /// `/host/NAME`: one host's row, alerts, rounds (with a chart), events, transcript on demand,
    /// alert, throttle and auto-stop history.
    public static func host(_ name: String, fleetName: String, now: UTCInstant) -> String {
        let api = HTML.escape(DashboardPaths.hostState(name))
        let transcript = HTML.escape(DashboardPaths.transcript(name))
        let body = """
            <div id="dashboard" data-page="host" data-api="\(api)" data-transcript="\(transcript)">
            <nav class="crumbs"><a href="/">Fleet</a> / <span class="mono">\(HTML.escape(name))</span></nav>
            <div class="stale" id="stale" hidden></div>
            <section class="cards" id="host-cards" aria-label="Host state">
            \(card("reachability", "reachability"))\(card("service", "service"))\(card("round", "round"))
            \(card("phase", "phase"))\(card("last_exit", "last exit"))\(card("disk", "disk used"))
            \(card("version", "version"))\(card("polled", "last poll"))
            </section>
            <div class="banner state-warn" id="throttle" hidden></div>
            <div class="banner state-bad" id="error" hidden></div>
            <section>
            <h2>Firing alerts</h2>
            <p class="muted" id="no-alerts">None firing.</p>
            <div class="table-wrap"><table id="alerts" hidden><thead><tr><th>Detector</th><th>Severity</th>
            <th>Since</th><th>Silenced</th><th>Message</th></tr></thead><tbody></tbody></table></div>
            </section>
            <section>
            <h2>Recent rounds</h2>
            <p class="muted" id="rounds-waiting" hidden></p>
            <div class="chart" id="rounds-chart" role="img" aria-label="Round durations, coloured by outcome"></div>
            <div class="table-wrap"><table id="rounds"><thead><tr><th>Round</th><th>Phase</th><th>Started</th>
            <th>Duration</th><th>Exit</th><th>Outcome</th></tr></thead><tbody></tbody></table></div>
            </section>
            <section>
            <h2>Recent events</h2>
            <p class="muted" id="events-waiting" hidden></p>
            <div class="table-wrap"><table id="events"><thead><tr><th>Time</th><th>Event</th><th>Details</th></tr>
            </thead><tbody></tbody></table></div>
            </section>
            <section>
            <h2>Transcript of the latest round</h2>
            <p class="muted">Fetched over ssh only when asked (one <code>agent-runner peek --round latest --log</code>),
            never by the poll loop.</p>
            <button type="button" id="fetch-transcript">Fetch the transcript tail</button>
            <span class="muted" id="transcript-note"></span>
            <pre class="log" id="transcript" hidden></pre>
            </section>
            <section>
            <h2>Alert history</h2>
            <p class="muted" id="no-history">No notifications since this watch started.</p>
            <div class="table-wrap"><table id="alert-history" hidden><thead><tr><th>Time</th><th>Detector</th>
            <th>State</th><th>Silenced</th><th>Message</th></tr></thead><tbody></tbody></table></div>
            </section>
            <section>
            <h2>Throttles</h2>
            <p class="muted" id="no-throttles">None seen since this watch started.</p>
            <div class="table-wrap"><table id="throttles" hidden><thead><tr><th>Throttle</th><th>First seen</th>
            <th>Last seen</th><th>Active</th></tr></thead><tbody></tbody></table></div>
            </section>
            <section id="auto-stops-section" hidden>
            <h2>Auto-stops</h2>
            <ul class="pairs" id="auto-stops"></ul>
            </section>
            </div>
            """
        return PageShell.render(
            title: name, subtitle: fleetName, generatedAt: Seconds.epoch(now), scripts: [DashboardPaths.script],
            body: body)
    }

    private static func card(_ id: String, _ label: String) -> String {
        "<div class=\"card\" id=\"card-\(id)\"><div class=\"value\">\(HumanText.missing)</div>"
            + "<div class=\"label\">\(label)</div></div>"
    }

    private static func header(_ key: String, _ label: String) -> String {
        "<th data-key=\"\(key)\" aria-sort=\"none\" tabindex=\"0\">\(label)</th>"
    }
}
