import FleetCore

/// `fleet-scale`: the cost curve of one operator machine. The real `fleetctl watch` loop (warm
/// ControlMasters, default `--parallel`) over 20, 100, 250 and 500 loopback hosts, with
/// `poll_interval_s` at its 0.2 s floor so that every cycle polls every host as fast as the loop
/// can; per size: cycle time, CPU per cycle of fleetctl, of its ssh clients and of the sshd side,
/// memory, descriptors and processes, and parallel-ssh over the same hosts. The largest size
/// runs 100 cycles: the soak whose descriptors, processes and RSS must stay flat. Then a
/// `--parallel` sweep (fast hosts and hosts answering after 100 ms) and one run at the default
/// 30 s interval. Prints a Markdown table and the fitted cost model; writes an SVG plot.
///
/// Options: `--sizes 20,100,250,500`, `--cycles N` (per size; default 20), `--soak-cycles N`
/// (the largest size; default 100), `--sweep-hosts N` (0: no sweep), `--interval-hosts N` (0: no
/// 30 s run), `--plot PATH` (default docs/fleet-scale.svg when ./docs exists).
enum FleetScaleScenario {
    struct Settings {
        var sizes = [20, 100, 250, 500]
        var cycles = 24
        var soakCycles = 100
        var sweepHosts = 150
        var sweepParallel = [8, 16, 32, 64]
        var sweepDelayMs = 100
        var intervalHosts = 500
        var plot: String? = Directories.exists("docs/performance.md") ? "docs/fleet-scale.svg" : nil

        init(arguments: [String]) {
            func value(_ name: String) -> String? {
                guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
                return arguments[index + 1]
            }
            if let list = value("--sizes") {
                sizes = list.split(separator: ",").compactMap { Int($0) }.filter { $0 > 0 }.sorted()
            }
            // Two cycles warm up and the last ones wind down: fewer than 10 leave too few to measure.
            cycles = value("--cycles").flatMap(Int.init).map { max(10, $0) } ?? cycles
            soakCycles = value("--soak-cycles").flatMap(Int.init).map { max(10, $0) } ?? soakCycles
            sweepHosts = value("--sweep-hosts").flatMap(Int.init) ?? sweepHosts
            intervalHosts = value("--interval-hosts").flatMap(Int.init) ?? intervalHosts
            plot = value("--plot") ?? plot
        }
    }

    /// fleetctl's default `--parallel` (what the table's runs use: the flag is not passed).
    static let defaultParallel = 32

    static func run(arguments: [String]) {
        let settings = Settings(arguments: arguments)
        guard let largest = settings.sizes.last else { Bench.fail("fleet-scale: --sizes names no size") }
        let fleetSize = max(largest, settings.sweepHosts, settings.intervalHosts)
        let started = ContinuousClock.now
        let fleet = LoopbackFleet(hosts: fleetSize, label: "scale")
        let cleanup = Bench.onFailure { fleet.stop() }
        defer {
            fleet.stop()
            Bench.forgetCleanup(cleanup)
        }
        Bench.say(
            "fleet-scale: \(fleetSize) loopback hosts on \(fleet.servers.count) sshd processes, logging in as "
                + "\(BenchUser.login()); fleetctl watch --json, poll_interval_s 0.2, --parallel \(defaultParallel) (default)"
        )
        let pssh = ParallelSSH.binary()
        var results: [(result: FleetScaleResult, pssh: Double?)] = []
        for size in settings.sizes {
            let cycles = size == largest ? settings.soakCycles : settings.cycles
            let result = measure(fleet, hosts: size, cycles: cycles, parallel: nil, label: "\(size)")
            var psshS: Double?
            if let pssh {
                psshS =
                    Statistics(
                        values: (0..<(size <= 100 ? 3 : 2)).map { _ in
                            ParallelSSH.run(pssh, fleet: fleet, hosts: size, parallel: defaultParallel)
                        }
                    ).median
                Bench.say("  parallel-ssh -p \(defaultParallel): \(format(psshS ?? .nan)) s")
            }
            results.append((result, psshS))
        }
        Bench.say("")
        Bench.say(FleetScaleReport.table(results))
        let model = FleetCostModel.fit(
            results.map {
                FleetCostModel.Sample(
                    hosts: $0.result.hosts, operatorCPUS: $0.result.operatorCPUS,
                    operatorMiB: $0.result.fleetctlRSSMiB + $0.result.masterPSSMiB, cycleS: $0.result.warm.median)
            })
        Bench.say(FleetScaleReport.costModel(model, results.map(\.result)))
        if let soak = results.last?.result {
            Bench.say(FleetScaleReport.soak(soak))
        }
        if settings.sweepHosts > 0 {
            Bench.say(FleetScaleReport.sweep(sweep(fleet, settings: settings), hosts: settings.sweepHosts))
        }
        if settings.intervalHosts > 0 {
            let inventory = fleet.inventory(hosts: settings.intervalHosts, name: "interval-30", pollIntervalS: 30)
            Bench.say("fleet-scale: \(settings.intervalHosts) hosts at the default poll_interval_s 30, 3 cycles")
            let run = FleetWatchRun.run(
                fleet: fleet, inventory: inventory, hosts: settings.intervalHosts, cycles: 3, parallel: nil,
                label: "interval-30")
            check(run, hosts: settings.intervalHosts, label: "30 s interval")
            Bench.say(FleetScaleReport.interval(run, hosts: settings.intervalHosts))
        }
        if let plot = settings.plot {
            do {
                try AtomicFile.write(FleetScaleReport.plot(results), to: plot, mode: 0o644)
                Bench.say("fleet-scale: plot written to \(plot)")
            } catch {
                Bench.say("fleet-scale: cannot write the plot to \(plot): \(error)")
            }
        }
        Bench.say("fleet-scale: done in \(format(Bench.seconds(ContinuousClock.now - started))) s")
    }

    /// One watch over the first `hosts` hosts, checked and reduced; prints a progress line.
    static func measure(
        _ fleet: LoopbackFleet, hosts: Int, cycles: Int, parallel: Int?, label: String, delayMs: Int = 0
    ) -> FleetScaleResult {
        let inventory = fleet.inventory(hosts: hosts, name: label, pollIntervalS: 0.2, delayMs: delayMs)
        let run = FleetWatchRun.run(
            fleet: fleet, inventory: inventory, hosts: hosts, cycles: cycles, parallel: parallel, label: label)
        check(run, hosts: hosts, label: label)
        let result = FleetScaleResult(run: run, hosts: hosts)
        Bench.say(
            "  \(hosts) hosts\(parallel.map { ", --parallel \($0)" } ?? "")\(delayMs > 0 ? ", answers after \(delayMs) ms" : ""): "
                + "cold cycle \(format(result.coldCycleS)) s, warm \(result.warm.line(unit: "s")) "
                + "(each polled \(format(result.coverage * 100)) %+ of the hosts), "
                + "fleetctl RSS \(format(result.fleetctlRSSMiB)) MiB, closing \(format(run.exitedAt - run.lastAnswerAt)) s"
        )
        return result
    }

    /// Fails the bench when the watch did not do what it was asked.
    static func check(_ run: FleetWatchRun, hosts: Int, label: String) {
        guard run.exit.isSuccess else {
            Bench.fail("fleetctl watch (\(label)) exited \(run.exit): \(run.stderr.suffix(2000))")
        }
        guard run.failedPolls == 0 else {
            Bench.fail("fleetctl watch (\(label)): \(run.failedPolls) polls failed: \(run.stderr.suffix(2000))")
        }
        if run.leftoverMasters > 0 {
            Bench.say(
                "  WARNING: \(run.leftoverMasters) ControlMasters outlived fleetctl watch (\(label)); stopped them")
        }
        if Set(run.arrivals.map(\.host)).count != hosts {
            Bench.fail("fleetctl watch (\(label)) polled \(Set(run.arrivals.map(\.host)).count) of \(hosts) hosts")
        }
    }

    /// Warm cycle per `--parallel` value, for hosts answering at once and after `sweepDelayMs`.
    static func sweep(_ fleet: LoopbackFleet, settings: Settings) -> [FleetScaleReport.SweepRow] {
        Bench.say("fleet-scale: --parallel sweep over \(settings.sweepHosts) hosts")
        var rows: [FleetScaleReport.SweepRow] = []
        for delay in [0, settings.sweepDelayMs] {
            for parallel in settings.sweepParallel {
                let result = measure(
                    fleet, hosts: settings.sweepHosts, cycles: 8, parallel: parallel,
                    label: "sweep-\(parallel)-\(delay)", delayMs: delay)
                rows.append(.init(parallel: parallel, delayMs: delay, result: result))
            }
        }
        return rows
    }
}
