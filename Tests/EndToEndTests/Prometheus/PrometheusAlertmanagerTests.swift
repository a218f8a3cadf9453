import FleetCore
import Foundation
import TestSupport
import XCTest

/// `fleetctl watch --metrics-listen` and a `kind = "alertmanager"` hook against Debian's real
/// `prometheus` and `prometheus-alertmanager` on loopback (installed with apt-get when missing).
///
/// The hosts are stand-ins: `ssh` on fleetctl's PATH is a script that runs the remote command
/// locally (or fails like ssh does for host `gamma`), and the remote `agent-runner` is a script
/// that prints a peek document the test writes (`config` in the inventory names that file).
final class PrometheusAlertmanagerTests: XCTestCase {
    static let installCommand = "apt-get install -y --no-install-recommends prometheus prometheus-alertmanager"

    func testMetricsReachPrometheusAndAlertsReachAlertmanager() throws {
        try Self.ensureInstalled()
        let dir = try Harness.temporaryDirectory(self)
        let now = Date()
        try writeStandIns(dir)
        try writePeek(
            dir + "/alpha.json", now: now, round: 7, lastExit: 0, diskPct: 42.5, throttledUntil: 2_000_000_000)
        try writePeek(dir + "/beta.json", now: now, round: 3, lastExit: 1, diskPct: 99)
        try writePeek(dir + "/gamma.json", now: now, round: 1, lastExit: 0, diskPct: 10)

        let amPort = try Self.freePort()
        let promPort = try Self.freePort()
        let metricsPort = try Self.freePort()
        try Harness.write("route:\n  receiver: sink\nreceivers:\n  - name: sink\n", to: dir + "/alertmanager.yml")
        let alertmanager = try start(
            "/usr/bin/prometheus-alertmanager",
            [
                "--config.file=\(dir)/alertmanager.yml", "--storage.path=\(dir)/am",
                "--web.listen-address=127.0.0.1:\(amPort)",
                "--cluster.listen-address=",
            ])
        try Harness.write(
            """
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            scrape_configs:
              - job_name: fleetctl
                static_configs:
                  - targets: ['127.0.0.1:\(metricsPort)']
            """, to: dir + "/prometheus.yml")
        let prometheus = try start(
            "/usr/bin/prometheus",
            [
                "--config.file=\(dir)/prometheus.yml", "--storage.tsdb.path=\(dir)/tsdb",
                "--web.listen-address=127.0.0.1:\(promPort)",
            ])
        try Harness.write(
            """
            [defaults]
            agent_runner = "\(dir)/bin/agent-runner"
            poll_interval_s = 1
            poll_timeout_s = 10
            remote_failure_tolerance_s = 0
            connection_reuse = false
            alert_repeat_s = 0

            [hosts.alpha]
            config = "\(dir)/alpha.json"
            groups = ["edge"]

            [hosts.beta]
            config = "\(dir)/beta.json"

            [hosts.gamma]
            config = "\(dir)/gamma.json"

            [[hooks]]
            kind = "alertmanager"
            url = "http://127.0.0.1:\(amPort)"
            on = ["firing", "resolved"]
            """, to: dir + "/inventory.toml")
        var env = ProcessRequest.currentEnvironment()
        env["PATH"] = dir + "/bin:" + (env["PATH"] ?? "/usr/bin:/bin")
        let watch = try PosixProcessRunner().spawn(
            ProcessRequest(
                try Harness.binary("fleetctl"),
                arguments: [
                    "watch", "--inventory", dir + "/inventory.toml", "--state-dir", dir + "/state", "--dry-run",
                    "--json",
                    "--metrics-listen", "127.0.0.1:\(metricsPort)",
                ],
                environment: env, standardOutput: .capture(), standardError: .capture()))
        defer {
            _ = watch.terminate(grace: .seconds(5))
            _ = prometheus.terminate(grace: .seconds(5))
            _ = alertmanager.terminate(grace: .seconds(5))
        }

        // The exposition itself passes promtool's linter.
        let exposition = try eventually("fleetctl serves /metrics with every host polled") { () -> String? in
            guard let response = try? HTTPClient(timeoutS: 2).get("http://127.0.0.1:\(metricsPort)/metrics"),
                response.status == 200
            else { return nil }
            let text = String(decoding: response.body, as: UTF8.self)
            return text.contains("host=\"gamma\"") && text.contains("host=\"alpha\"") && text.contains("host=\"beta\"")
                ? text : nil
        }
        let lint = try PosixProcessRunner().run(
            ProcessRequest(
                "/usr/bin/promtool", arguments: ["check", "metrics"],
                standardInput: .bytes(Array(exposition.utf8)), deadline: .now + .seconds(20)))
        XCTAssertTrue(
            lint.exit.isSuccess, "promtool check metrics: \(lint.stdoutText) \(lint.stderrText)\n\(exposition)")

        // Prometheus scraped the right values.
        let expected: [(String, Double)] = [
            (#"fleet_host_up{host="alpha",group="edge"}"#, 1),
            (#"fleet_host_reachable{host="gamma"}"#, 0),
            (#"fleet_host_round{host="alpha"}"#, 7),
            (#"fleet_host_last_exit_code{host="beta"}"#, 1),
            (#"fleet_host_disk_used_ratio{host="alpha"}"#, 0.425),
            (#"fleet_host_last_event_age_seconds{host="alpha"}"#, 30),
            (#"fleet_host_throttled_until_timestamp_seconds{host="alpha"}"#, 2_000_000_000),
            (#"fleet_host_info{host="alpha",version="9.9.9-standin"}"#, 1),
            (#"fleet_alert_firing{host="beta",detector="disk_critical",severity="critical"}"#, 1),
            ("fleet_hosts", 3),
            ("fleet_hosts_unreachable", 1),
            (#"fleet_ssh_failures_total{host="gamma",kind="connection_refused"} > bool 0"#, 1),
            (#"fleet_poll_duration_seconds_count > bool 0"#, 1),
        ]
        for (query, value) in expected {
            _ = try eventually("Prometheus answers \(query) = \(value)") { () -> Bool? in
                try? self.query(promPort, query) == value ? true : nil
            }
        }

        // The auto-stop-worthy alert reaches Alertmanager, then resolves there.
        let firing = try eventually("Alertmanager holds beta's disk_critical alert") { () -> [String: Any]? in
            self.alerts(amPort).first {
                ($0["labels"] as? [String: String])?["host"] == "beta"
                    && ($0["labels"] as? [String: String])?["detector"] == "disk_critical"
            }
        }
        let labels = try XCTUnwrap(firing["labels"] as? [String: String])
        XCTAssertEqual(labels["alertname"], "disk_critical")
        XCTAssertEqual(labels["severity"], "critical")
        XCTAssertEqual((firing["annotations"] as? [String: String])?["auto_action"], "stop_service")
        try writePeek(dir + "/beta.json", now: Date(), round: 4, lastExit: 0, diskPct: 50)
        _ = try eventually("Alertmanager shows beta's disk_critical alert resolved") { () -> Bool? in
            let still = self.alerts(amPort).contains {
                ($0["labels"] as? [String: String])?["host"] == "beta"
                    && ($0["labels"] as? [String: String])?["detector"] == "disk_critical"
            }
            return still ? nil : true
        }
        _ = try eventually("Prometheus sees no disk_critical firing on beta") { () -> Bool? in
            try? self.query(promPort, #"count(fleet_alert_firing{host="beta",detector="disk_critical"}) or vector(0)"#)
                == 0 ? true : nil
        }
    }

    // MARK: Helpers

    /// The packages scripts/test installs; without them the test fails (never skips) with the command.
    static func ensureInstalled() throws {
        let binaries = ["/usr/bin/prometheus", "/usr/bin/prometheus-alertmanager", "/usr/bin/promtool"]
        let missing = binaries.filter { !FileManager.default.isExecutableFile(atPath: $0) }
        guard missing.isEmpty else {
            throw MissingPrerequisite(
                "\(missing.joined(separator: ", ")) missing; install them as root with: \(installCommand) "
                    + "(scripts/test does)")
        }
    }

    static func freePort() throws -> Int {
        try HTTPServer.listen(port: 0).port
    }

    private func start(_ program: String, _ arguments: [String]) throws -> RunningProcess {
        try PosixProcessRunner().spawn(
            ProcessRequest(
                program, arguments: arguments, standardOutput: .capture(), standardError: .capture(),
                grouping: .newProcessGroup))
    }

    /// Polls `body` every 250 ms for up to 60 s.
    private func eventually<T>(_ what: String, _ body: () throws -> T?) throws -> T {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let value = try body() { return value }
            Thread.sleep(forTimeInterval: 0.25)
        }
        XCTFail("timed out waiting: \(what)")
        throw MissingPrerequisite("timed out: \(what)")
    }

    /// The single value of an instant query.
    private func query(_ port: Int, _ expression: String) throws -> Double? {
        let encoded = expression.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? expression
        let response = try HTTPClient(timeoutS: 5).get("http://127.0.0.1:\(port)/api/v1/query?query=\(encoded)")
        guard response.status == 200,
            let root = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let data = root["data"] as? [String: Any], let result = data["result"] as? [[String: Any]],
            result.count == 1,
            let value = result[0]["value"] as? [Any], value.count == 2, let text = value[1] as? String
        else { return nil }
        return Double(text)
    }

    private func alerts(_ port: Int) -> [[String: Any]] {
        guard let response = try? HTTPClient(timeoutS: 5).get("http://127.0.0.1:\(port)/api/v2/alerts"),
            response.status == 200,
            let list = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [[String: Any]]
        else { return [] }
        return list
    }

    private func writeStandIns(_ dir: String) throws {
        try Harness.write(
            """
            #!/bin/sh
            # Stand-in ssh: `ssh [options] -- DESTINATION COMMAND` runs COMMAND here; gamma is down.
            dest=""; cmd=""
            for arg; do dest=$cmd; cmd=$arg; done
            if [ "$dest" = gamma ]; then echo "ssh: connect to host gamma port 22: Connection refused" >&2; exit 255; fi
            exec sh -c "$cmd"
            """, to: dir + "/bin/ssh")
        try Harness.write(
            """
            #!/bin/sh
            # Stand-in agent-runner: `peek ... --config FILE` prints FILE; every other verb succeeds.
            verb=$1; doc=""
            while [ $# -gt 0 ]; do [ "$1" = "--config" ] && doc=$2; shift; done
            [ "$verb" = peek ] && exec cat "$doc"
            exit 0
            """, to: dir + "/bin/agent-runner")
        for name in ["ssh", "agent-runner"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir + "/bin/" + name)
        }
    }

    private func writePeek(
        _ path: String, now: Date, round: Int, lastExit: Int, diskPct: Double, throttledUntil: Int? = nil
    ) throws {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let generated = formatter.string(from: now)
        let event = formatter.string(from: now.addingTimeInterval(-30))
        let rateLimit =
            throttledUntil.map {
                #", "rate_limit": {"agent": "claude", "throttled_until_epoch": \#($0), "limit_type": "rate_limit_account"}"#
            } ?? ""
        try Harness.write(
            """
            {"schema_version": "2.6", "agent_runner_version": "9.9.9-standin", "generated_at": "\(generated)",
             "service": {"active": true, "mode": "systemd_user"\(rateLimit)},
             "status": {"round_num": \(round), "last_exit_code": \(lastExit)},
             "recent_rounds": [], "system": {"ts": "\(generated)", "disk_used_pct": \(diskPct)}, "system_history": [],
             "recent_events": [{"ts": "\(event)", "event": "round_end", "round_num": \(round)}]}
            """, to: path + ".tmp")
        _ = rename(path + ".tmp", path)
    }
}
