/// How `fleet-scale` prints its figures: Markdown tables docs/performance.md takes as they are,
/// the cost model in words, and the SVG plot. Pure: results in, text out.
enum FleetScaleReport {
    /// One run of the `--parallel` sweep.
    struct SweepRow {
        var parallel: Int
        var delayMs: Int
        var result: FleetScaleResult
    }

    static func ms(_ seconds: Double) -> String { format(seconds * 1000) }

    static func table(_ results: [(result: FleetScaleResult, pssh: Double?)]) -> String {
        var lines = [
            "| hosts | warm cycle, median | p95 | cold first cycle | parallel-ssh | pssh / warm "
                + "| CPU s per cycle: fleetctl | ssh mux clients | ControlMasters | sshd side | fleetctl RSS "
                + "| ControlMasters RSS (per host) | ControlMasters PSS (per host) | fleetctl fds | operator processes |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for (result, pssh) in results {
            let hosts = Double(result.hosts)
            let cells = [
                "\(result.hosts)", "\(format(result.warm.median)) s", "\(format(result.warm.percentile(95))) s",
                "\(format(result.coldCycleS)) s", pssh.map { "\(format($0)) s" } ?? "-",
                pssh.map { "\(format($0 / result.warm.median))x" } ?? "-",
                format(result.fleetctlCPUS), format(result.muxClientCPUS), format(result.masterCPUS),
                format(result.sshdCPUS),
                "\(format(result.fleetctlRSSMiB)) MiB",
                "\(format(result.masterRSSMiB)) MiB (\(format(result.masterRSSMiB / hosts)))",
                "\(format(result.masterPSSMiB)) MiB (\(format(result.masterPSSMiB / hosts)))",
                "\(result.fleetctlDescriptors)", "\(result.operatorProcesses)",
            ]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }

    static func costModel(_ model: FleetCostModel, _ results: [FleetScaleResult]) -> String {
        var lines = ["fleet-scale: cost model (least squares over the sizes)"]
        if let largest = results.last {
            let polls = Double(largest.hosts)
            lines.append(
                "  per warm poll at \(largest.hosts) hosts: fleetctl \(ms(largest.fleetctlCPUS / polls)) ms CPU, "
                    + "its ssh mux client \(ms(largest.muxClientCPUS / polls)) ms, the ControlMaster "
                    + "\(ms(largest.masterCPUS / polls)) ms, sshd side \(ms(largest.sshdCPUS / polls)) ms "
                    + "(on a real fleet: on the host), this bench's sampling \(ms(largest.benchCPUS / polls)) ms; "
                    + "poll latency \(largest.latency.line(unit: "ms", scale: 1000)), "
                    + "p95 \(ms(largest.latency.percentile(95))) ms")
            lines.append(
                "  per new connection (cold first cycle): \(ms(largest.coldCPUPerHostS)) ms operator CPU per host")
        }
        lines.append(
            "  fit: operator CPU \(format(model.cpuMsPerPoll)) ms per poll; memory \(format(model.mibPerHost)) MiB per host "
                + "+ \(format(model.fixedMiB)) MiB; warm cycle \(ms(model.cycleSPerHost)) ms per host "
                + "+ \(format(model.cycleFixedS)) s")
        let capacity = model.capacity(intervalS: 30, cores: 2, memoryMiB: 4096)
        lines.append(
            "  one 2-core machine at poll_interval_s 30: \(capacity.byCPU) hosts by CPU (half of 2 cores), "
                + "\(capacity.byCycle) by cycle time (a cycle of every host in half the interval), "
                + "\(capacity.byMemory) by memory (4 GiB for fleetctl and its masters) → \(capacity.hosts) hosts per shard; "
                + "10,000 hosts: \(FleetCostModel.shards(for: 10_000, perShard: capacity.hosts)) shards")
        return lines.joined(separator: "\n")
    }

    static func soak(_ result: FleetScaleResult) -> String {
        let soak = result.soak
        func span(_ span: FleetScaleResult.Span) -> String {
            span.min == span.max
                ? format(span.min) : "\(format(span.min))–\(format(span.max)) (median \(format(span.median)))"
        }
        return "fleet-scale: soak, \(result.hosts) hosts, \(result.cycles.count) warm cycles "
            + "(first vs last quarter of the warm cycles): fleetctl RSS \(span(soak.rssMiB.first)) → "
            + "\(span(soak.rssMiB.last)) MiB, fds \(span(soak.descriptors.first)) → \(span(soak.descriptors.last)), "
            + "lasting processes (fleetctl, masters, stray children) \(span(soak.processes.first)) → "
            + "\(span(soak.processes.last)), "
            + "ControlMasters \(span(soak.masters)): \(soak.isFlat ? "flat" : "NOT FLAT")"
    }

    static func sweep(_ rows: [SweepRow], hosts: Int) -> String {
        var lines = [
            "| --parallel | warm cycle (median, p95), fast hosts | operator CPU s per cycle | "
                + "warm cycle (median, p95), hosts answering after \(rows.map(\.delayMs).max() ?? 0) ms |",
            "|---:|---:|---:|---:|",
        ]
        let fast = rows.filter { $0.delayMs == 0 }
        let slow = Dictionary(rows.filter { $0.delayMs > 0 }.map { ($0.parallel, $0.result) }) { a, _ in a }
        for row in fast {
            let late = slow[row.parallel].map { "\(format($0.warm.median)) s, \(format($0.warm.percentile(95))) s" }
            lines.append(
                "| \(row.parallel) | \(format(row.result.warm.median)) s, \(format(row.result.warm.percentile(95))) s | "
                    + "\(format(row.result.operatorCPUS)) | \(late ?? "-") |")
        }
        return "fleet-scale: --parallel sweep, \(hosts) hosts\n" + lines.joined(separator: "\n")
    }

    /// The run at the default interval: how the polls spread over it and what they cost.
    static func interval(_ run: FleetWatchRun, hosts: Int) -> String {
        let result = FleetScaleResult(run: run, hosts: hosts)
        let steady = (2...max(2, run.arrivals.count / max(1, hosts))).compactMap {
            WatchCycles.round($0, of: run.arrivals)
        }
        let window = (start: steady.first?.start ?? .nan, end: steady.last?.end ?? .nan)
        let samples = run.samples.filter { $0.at >= window.start && $0.at <= window.end }
        let latency = Statistics(
            values: run.arrivals.filter { $0.startedAt >= window.start }.map(\.latencyS))
        var cpu = Double.nan
        if let first = samples.first, let last = samples.last, last.at > first.at {
            let seconds =
                (last.fleetctlCPU + last.clientCPU + last.masterCPU)
                - (first.fleetctlCPU + first.clientCPU + first.masterCPU)
            cpu = seconds / (last.at - first.at)
        }
        return "fleet-scale: at poll_interval_s 30, \(hosts) hosts: cold first cycle \(format(result.coldCycleS)) s; "
            + "the polls of rounds 2–\(steady.count + 1) started and ended within \(steady.map { format($0.duration) + " s" }.joined(separator: ", ")); "
            + "poll latency median \(ms(latency.median)) ms, p95 \(ms(latency.percentile(95))) ms; "
            + "operator CPU \(format(cpu * 100)) % of one core; at most \(samples.map(\.children).max() ?? 0) polls in flight; "
            + "fleetctl RSS \(format(result.fleetctlRSSMiB)) MiB"
    }

    static func plot(_ results: [(result: FleetScaleResult, pssh: Double?)]) -> String {
        func points(_ value: (FleetScaleResult) -> Double) -> [SVGChart.Point] {
            results.map { .init(x: Double($0.result.hosts), y: value($0.result)) }.filter { $0.y.isFinite }
        }
        let pssh = results.compactMap { entry in entry.pssh.map { SVGChart.Point(x: Double(entry.result.hosts), y: $0) }
        }
        let blue = "#1f77b4"
        let orange = "#ff7f0e"
        let green = "#2ca02c"
        let cycle = SVGChart(
            title: "Time to poll every host once", xLabel: "hosts", yLabel: "seconds",
            series: [
                .init(name: "fleetctl watch, warm cycle (median)", color: blue, points: points { $0.warm.median }),
                .init(
                    name: "fleetctl watch, warm cycle (p95)", color: blue, points: points { $0.warm.percentile(95) },
                    dashed: true),
                .init(name: "parallel-ssh -p 32 (new connections)", color: orange, points: pssh),
            ])
        let cpu = SVGChart(
            title: "CPU per cycle", xLabel: "hosts", yLabel: "CPU seconds",
            series: [
                .init(name: "fleetctl", color: blue, points: points(\.fleetctlCPUS)),
                .init(name: "ssh mux clients (one per poll)", color: orange, points: points(\.muxClientCPUS)),
                .init(name: "ControlMasters", color: orange, points: points(\.masterCPUS), dashed: true),
                .init(name: "sshd side (the loopback hosts)", color: green, points: points(\.sshdCPUS)),
            ])
        let memory = SVGChart(
            title: "Memory on the operator machine", xLabel: "hosts", yLabel: "MiB",
            series: [
                .init(name: "fleetctl RSS", color: blue, points: points(\.fleetctlRSSMiB)),
                .init(name: "ControlMasters, total PSS", color: orange, points: points(\.masterPSSMiB)),
                .init(name: "ControlMasters, total RSS", color: orange, points: points(\.masterRSSMiB), dashed: true),
            ])
        return SVGChart.document([cycle, cpu, memory])
    }
}
