/// The soak's numbers as text, verdict series and a plot: pure, from the runs' samples.
enum SoakReport {
    static let mebibyte = 1_048_576.0

    /// `round 500: RSS 10.1 MiB, fds 7, threads 2, children 0, round logs 100 (0.02 MiB), ...`.
    static func row(_ sample: ServeSoakRun.Sample, overhead: Double?) -> String {
        "round \(sample.round): RSS \(format(Double(sample.rssKiB) / 1024)) MiB, fds \(sample.descriptors), "
            + "threads \(sample.threads), children \(sample.children), round logs \(sample.roundLogs) "
            + "(\(format(Double(sample.roundLogBytes) / mebibyte)) MiB), log_dir \(format(Double(sample.logDirBytes) / mebibyte)) MiB "
            + "(monthly logs \(format(Double(sample.monthlyLogBytes) / mebibyte)) MiB)"
            + (overhead.map { ", overhead \(format($0 * 1000)) ms" } ?? "")
    }

    /// The series a serve soak is judged by.
    static func series(_ run: ServeSoakRun) -> [SoakSeries] {
        let settings = run.settings
        let transcriptMiB = Double(settings.transcriptBytes + 4096) / mebibyte
        func make(
            _ name: String, _ unit: String, _ limit: SoakSeries.Limit, _ value: (ServeSoakRun.Sample) -> Double
        )
            -> SoakSeries
        {
            SoakSeries(
                name: name, unit: unit, limit: limit,
                points: run.samples.map { SoakSeries.Point(at: $0.round, value: value($0)) })
        }
        var series = [
            make("RSS", "MiB", .absolute(1)) { Double($0.rssKiB) / 1024 },
            make("open descriptors", "", .absolute(2)) { Double($0.descriptors) },
            make("threads", "", .absolute(2)) { Double($0.threads) },
            make("children", "", .absolute(2)) { Double($0.children) },
            make("round logs", "files", .ceiling(Double(settings.retention))) { Double($0.roundLogs) },
            make("round logs on disk", "MiB", .ceiling(Double(settings.maxMB) + transcriptMiB)) {
                Double($0.roundLogBytes) / mebibyte
            },
            make("log_dir besides the monthly logs", "MiB", .ceiling(Double(settings.maxMB) + transcriptMiB + 1)) {
                Double($0.logDirBytes - $0.monthlyLogBytes) / mebibyte
            },
        ]
        series.append(
            SoakSeries(
                name: "per-round overhead", unit: "ms", limit: .relative(0.2),
                points: run.samples.compactMap { sample in
                    run.overheads[sample.round].map { SoakSeries.Point(at: sample.round, value: $0 * 1000) }
                }))
        return series
    }

    /// A watch soak's series, one point per window of `every` cycles: fleetctl's RSS and
    /// descriptors, the processes that stay (fleetctl, its masters, stray children), the state
    /// directory's disk, and the cycle time.
    static func series(_ run: FleetWatchRun, hosts: Int, cycles: Int, every: Int) -> [SoakSeries] {
        let times = run.arrivals.map(\.at).sorted()
        func cyclesDone(at time: Double) -> Int {
            var low = 0
            var high = times.count
            while low < high {
                let middle = (low + high) / 2
                if times[middle] <= time { low = middle + 1 } else { high = middle }
            }
            return low / max(1, hosts)
        }
        func finished(_ cycle: Int) -> Double? {
            let index = cycle * hosts - 1
            return index >= 0 && index < times.count ? times[index] : nil
        }
        var rss = SoakSeries(name: "fleetctl RSS", unit: "MiB", limit: .absolute(1))
        var fds = SoakSeries(name: "fleetctl open descriptors", unit: "", limit: .absolute(2))
        var lasting = SoakSeries(name: "processes that stay", unit: "", limit: .absolute(2))
        var state = SoakSeries(name: "state directory on disk", unit: "KiB", limit: .absolute(64))
        var cycle = SoakSeries(name: "cycle time", unit: "ms", limit: .relative(0.2))
        // Each window's value: the median RSS and the least descriptors and lasting processes of
        // its samples (one a second): polls in flight hold pipes and mux clients for milliseconds,
        // a leak holds them for good.
        // The first window is the warm-up (ControlMasters connecting, first allocations): not judged.
        var previous = every
        for window in stride(from: 2 * every, through: cycles, by: every) {
            let inside = run.samples.filter {
                let done = cyclesDone(at: $0.at)
                return done >= previous && done < window
            }
            previous = window
            guard !inside.isEmpty else { continue }
            rss.points.append(
                .init(at: window, value: Statistics(values: inside.map { Double($0.fleetctlRSSKiB) / 1024 }).median))
            fds.points.append(.init(at: window, value: Double(inside.map(\.fleetctlDescriptors).min() ?? 0)))
            lasting.points.append(.init(at: window, value: Double(inside.map(\.lastingProcesses).min() ?? 0)))
            state.points.append(.init(at: window, value: Double(inside.map(\.stateBytes).max() ?? 0) / 1024))
            // The first window starts after the cold first cycle (ControlMasters connecting).
            let from = max(1, window - every)
            if let start = finished(from), let end = finished(window), window > from {
                cycle.points.append(.init(at: window, value: (end - start) / Double(window - from) * 1000))
            }
        }
        return [rss, fds, lasting, state, cycle]
    }

    /// docs/soak.svg: serve's RSS, descriptors, round logs on disk and overhead by round for each
    /// serve soak, and fleetctl watch's RSS and descriptors by cycle.
    static func plot(serve: [(label: String, series: [SoakSeries])], watch: [SoakSeries]) -> String {
        let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
        func chart(_ title: String, _ yLabel: String, _ name: String) -> SVGChart {
            SVGChart(
                title: title, xLabel: "rounds", yLabel: yLabel,
                series: serve.enumerated().compactMap { index, run in
                    guard let series = run.series.first(where: { $0.name == name }) else { return nil }
                    return SVGChart.Series(
                        name: run.label, color: colors[index % colors.count],
                        points: series.points.map { SVGChart.Point(x: Double($0.at), y: $0.value) })
                })
        }
        var charts = [
            chart("serve RSS", "MiB", "RSS"), chart("serve open descriptors", "descriptors", "open descriptors"),
            chart("round logs on disk", "MiB", "round logs on disk"),
            chart("per-round overhead", "ms", "per-round overhead"),
        ]
        if !watch.isEmpty {
            charts.append(
                SVGChart(
                    title: "fleetctl watch", xLabel: "cycles", yLabel: "MiB / descriptors",
                    series: watch.prefix(2).enumerated().map { index, series in
                        SVGChart.Series(
                            name: series.name + (series.unit.isEmpty ? "" : " (\(series.unit))"),
                            color: colors[(index + 2) % colors.count],
                            points: series.points.map { SVGChart.Point(x: Double($0.at), y: $0.value) })
                    }))
        }
        return SVGChart.document(charts, chartWidth: 320, height: 300)
    }
}
