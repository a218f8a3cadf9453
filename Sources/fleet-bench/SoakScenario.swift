import FleetCore

/// `soak`: does a supervisor that runs for months stay flat? `agent-runner serve` for 10,000
/// rounds with a fast agent, then again with a 1 MiB transcript a round (under a 16 MiB
/// round-log budget), sampling serve's RSS, descriptors, threads, children and the log dir's disk
/// every 500 rounds, and per-round overhead; then `fleetctl watch` over a loopback fleet for
/// 1,000 cycles, sampling fleetctl's RSS, descriptors, lasting processes, state directory and
/// cycle time every 100. Prints the series and a verdict per series; exits 1 when any grew
/// beyond noise (RSS ±1 MiB, descriptors ±2, overhead ±20 %) or a budget was exceeded.
///
/// Options: `--rounds N` (default 10000), `--every N` (default rounds / 20), `--cycles N`
/// (default 1000; 0 skips the watch), `--hosts N` (default 5), `--parts fast,1mib,watch`,
/// `--plot PATH` (default docs/soak.svg when ./docs exists).
enum SoakScenario {
    struct Settings {
        var rounds = 10_000
        var every: Int?
        var cycles = 1000
        var hosts = 5
        var parts: Set<String> = ["fast", "1mib", "watch"]
        var plot: String? = Directories.exists("docs/performance.md") ? "docs/soak.svg" : nil

        init(arguments: [String]) {
            func value(_ name: String) -> String? {
                guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
                return arguments[index + 1]
            }
            rounds = value("--rounds").flatMap(Int.init).map { max(2, $0) } ?? rounds
            every = value("--every").flatMap(Int.init).map { max(1, $0) }
            cycles = value("--cycles").flatMap(Int.init).map { max(0, $0) } ?? cycles
            hosts = value("--hosts").flatMap(Int.init).map { max(1, $0) } ?? hosts
            if let list = value("--parts") { parts = Set(list.split(separator: ",").map(String.init)) }
            plot = value("--plot") ?? plot
        }

        var sampleEvery: Int { every ?? max(1, rounds / 20) }
    }

    static func run(arguments: [String]) {
        let settings = Settings(arguments: arguments)
        let started = ContinuousClock.now
        var failures: [String] = []
        var serveRuns: [(label: String, series: [SoakSeries])] = []
        let variants = [
            ServeSoakRun.Settings(
                label: "fast", rounds: settings.rounds, every: settings.sampleEvery, transcriptBytes: 0, retention: 100,
                maxMB: 256),
            ServeSoakRun.Settings(
                label: "1mib", rounds: settings.rounds, every: settings.sampleEvery, transcriptBytes: 1 << 20,
                retention: 100, maxMB: 16),
        ]
        for variant in variants where settings.parts.contains(variant.label) {
            Bench.say(
                "soak: agent-runner serve, \(variant.rounds) rounds, agent transcript \(variant.transcriptBytes) bytes, "
                    + "restart_delay_s \(format(variant.restartDelayS)), round_log_retention \(variant.retention), "
                    + "round_log_max_mb \(variant.maxMB); a sample every \(variant.every) rounds")
            let run = ServeSoakRun.run(variant)
            Bench.say("  \(variant.label): \(run.samples.count) samples in \(format(run.seconds)) s")
            for sample in run.samples {
                Bench.say("    \(SoakReport.row(sample, overhead: run.overheads[sample.round]))")
            }
            if let first = run.samples.first, let last = run.samples.last, last.round > first.round {
                let perRound = Double(last.monthlyLogBytes - first.monthlyLogBytes) / Double(last.round - first.round)
                Bench.say(
                    "  \(variant.label): the monthly event and metrics logs grow \(format(perRound / 1024)) KiB a round "
                        + "(by design; event_log_months bounds them)")
            }
            let series = SoakReport.series(run)
            for line in series {
                Bench.say("  \(variant.label): \(line.line)")
                if !line.passed { failures.append("serve \(variant.label): \(line.line)") }
            }
            serveRuns.append((variant.label, series))
        }
        var watchSeries: [SoakSeries] = []
        if settings.parts.contains("watch") && settings.cycles > 0 {
            watchSeries = watch(settings)
            for line in watchSeries where !line.passed { failures.append("fleetctl watch: \(line.line)") }
        }
        if let plot = settings.plot, !serveRuns.isEmpty {
            do {
                try AtomicFile.write(SoakReport.plot(serve: serveRuns, watch: watchSeries), to: plot, mode: 0o644)
                Bench.say("soak: plot written to \(plot)")
            } catch {
                Bench.say("soak: cannot write the plot to \(plot): \(error)")
            }
        }
        Bench.say("soak: done in \(format(Bench.seconds(ContinuousClock.now - started))) s")
        guard failures.isEmpty else {
            Bench.fail("soak: grew beyond noise or over budget:\n  " + failures.joined(separator: "\n  "))
        }
        Bench.say("soak: every series flat, every budget held")
    }

    static func watch(_ settings: Settings) -> [SoakSeries] {
        let fleet = LoopbackFleet(hosts: settings.hosts, label: "soak")
        let cleanup = Bench.onFailure { fleet.stop() }
        defer {
            fleet.stop()
            Bench.forgetCleanup(cleanup)
        }
        let every = max(1, settings.cycles / 10)
        Bench.say(
            "soak: fleetctl watch --json --cycles \(settings.cycles) over \(settings.hosts) loopback hosts, "
                + "poll_interval_s 0.2; a sample every \(every) cycles")
        let inventory = fleet.inventory(hosts: settings.hosts, name: "soak", pollIntervalS: 0.2)
        let run = FleetWatchRun.run(
            fleet: fleet, inventory: inventory, hosts: settings.hosts, cycles: settings.cycles, parallel: nil,
            label: "soak")
        FleetScaleScenario.check(run, hosts: settings.hosts, label: "soak")
        let series = SoakReport.series(run, hosts: settings.hosts, cycles: settings.cycles, every: every)
        for index in series.first?.points.indices ?? 0..<0 {
            let values = series.map { $0.points.indices.contains(index) ? format($0.points[index].value) : "-" }
            Bench.say(
                "    cycle \(series[0].points[index].at): "
                    + zip(series, values).map { "\($0.name) \($1)\($0.unit.isEmpty ? "" : " " + $0.unit)" }.joined(
                        separator: ", "))
        }
        for line in series { Bench.say("  watch: \(line.line)") }
        return series
    }
}
