import FleetCore

/// `fleet-status`: one `fleetctl status` over 20 loopback "hosts" (a ``LoopbackFleet``: each
/// alias on its own address, so each gets its own connection), cold (connection_reuse = false)
/// and warm (reuse, as `watch` polls), side by side with Debian's `parallel-ssh -p 32` running
/// the same remote command when it is installed.
enum FleetStatusScenario {
    static let hostCount = 20

    static func run(rounds: Int) {
        let fleet = LoopbackFleet(hosts: hostCount, label: "status")
        let cleanup = Bench.onFailure { fleet.stop() }
        defer {
            fleet.stop()
            Bench.forgetCleanup(cleanup)
        }
        let inventories = [
            false: fleet.inventory(hosts: hostCount, name: "cold", connectionReuse: false),
            true: fleet.inventory(hosts: hostCount, name: "warm", connectionReuse: true),
        ]
        let fleetctl = Bench.binary("fleetctl")
        var latencies: [Bool: [Double]] = [:]
        func status(_ reuse: Bool) -> Double {
            let started = ContinuousClock.now
            let output = try? PosixProcessRunner().run(
                ProcessRequest(
                    fleetctl, arguments: ["status", "--json", "--parallel", "32", "-i", inventories[reuse] ?? ""],
                    environment: fleet.environment, deadline: .now + .seconds(120)))
            let elapsed = Bench.seconds(ContinuousClock.now - started)
            let rows = (output?.stdoutText.split(separator: "\n") ?? []).compactMap {
                try? JSONParser.strict.parse(Array($0.utf8))
            }
            latencies[reuse, default: []] += rows.compactMap { $0["latency_ms"]?.doubleValue }
            let lines = rows.filter { $0["reachable"] == .bool(true) }.count
            if lines != hostCount {
                Bench.fail(
                    "fleetctl status reached \(lines) of \(hostCount) hosts: \(output?.stderrText ?? "") \(output?.stdoutText.prefix(600) ?? "")"
                )
            }
            return elapsed
        }
        let runs = max(3, min(rounds, 10))
        _ = status(false)
        let cold = Statistics(values: (0..<runs).map { _ in status(false) })
        _ = status(true)
        let warm = Statistics(values: (0..<runs).map { _ in status(true) })
        Bench.say(
            "fleet-status: fleetctl status, \(hostCount) loopback hosts, cold (no reuse): \(cold.line(unit: "ms", scale: 1000))"
        )
        Bench.say(
            "fleet-status: fleetctl status, \(hostCount) loopback hosts, warm (ControlMaster reuse): \(warm.line(unit: "ms", scale: 1000))"
        )
        Bench.say(
            "fleet-status: one host's ssh call inside status: cold \(Statistics(values: latencies[false] ?? []).line(unit: "ms")), warm \(Statistics(values: latencies[true] ?? []).line(unit: "ms"))"
        )
        guard let pssh = ParallelSSH.binary() else { return }
        let parallel = Statistics(
            values: (0..<runs).map { _ in ParallelSSH.run(pssh, fleet: fleet, hosts: hostCount, parallel: 32) })
        Bench.say(
            "fleet-status: parallel-ssh -p 32, same remote command, same hosts: \(parallel.line(unit: "ms", scale: 1000))"
        )
        Bench.say(
            "fleet-status: cold/pssh = \(format(cold.median / parallel.median)), pssh/warm = \(format(parallel.median / warm.median))x"
        )
    }
}

extension String {
    func trimmingCharacters() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\n" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\n" { text = text.dropLast() }
        return String(text)
    }
}
