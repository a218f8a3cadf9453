/// What one ``FleetWatchRun`` measured, reduced to the figures of the `fleet-scale` table. Pure:
/// computed from the run's poll rows and process samples, so the reduction is tested as a value.
struct FleetScaleResult {
    /// Sampled values: the least, the median and the most seen.
    struct Span: Equatable {
        var min: Double
        var median: Double
        var max: Double

        init(_ values: [Double]) {
            min = values.min() ?? .nan
            median = Statistics(values: values).median
            max = values.max() ?? .nan
        }
    }

    /// The first and the last quarter of the warm samples: a leak shows as growth between them.
    struct Soak: Equatable {
        var rssMiB: (first: Span, last: Span)
        var descriptors: (first: Span, last: Span)
        var processes: (first: Span, last: Span)
        var masters: Span

        /// Descriptors rise and fall with the polls in flight at the sampled moment (each holds
        /// the pipes of its ssh child, up to `--parallel` of them; the least is whether a sample
        /// fell between two polls), so their medians are compared, with a tenth (at least 8) of
        /// slack: a leak of one per cycle would add a quarter of the cycles. Processes count those that stay (fleetctl, its masters, stray
        /// children); a child caught between its exit and its reaping counts as stray for that
        /// sample, so their median must not grow and their most by no more than 8. Memory may
        /// settle by a few percent. Every host keeps its one master throughout.
        var isFlat: Bool {
            let slack = max(8, descriptors.first.median / 10)
            return rssMiB.last.max <= rssMiB.first.max * 1.05 + 1
                && descriptors.last.median <= descriptors.first.median + slack
                && processes.last.median <= processes.first.median && processes.last.max <= processes.first.max + 8
                && masters.min == masters.max
        }

        static func == (a: Soak, b: Soak) -> Bool {
            a.rssMiB == b.rssMiB && a.descriptors == b.descriptors && a.processes == b.processes
                && a.masters == b.masters
        }
    }

    var hosts: Int
    /// Every host answered once (cold: each ssh call set up its ControlMaster), and twice.
    var coldCycle: WatchCycle?
    var warmFrom: Double
    var cycles: [WatchCycle]
    var warm: Statistics
    /// The least share of the fleet a warm cycle polled: 1 when the loop goes round in turn.
    var coverage: Double
    /// Latency of each poll (its ssh call) in the warm cycles.
    var latency: Statistics
    /// CPU seconds per warm cycle: fleetctl itself, its ssh clients (the mux client of each poll,
    /// the ControlMasters), the sshd side (the loopback hosts), and this bench's sampling.
    var fleetctlCPUS: Double
    var muxClientCPUS: Double
    var masterCPUS: Double
    var sshdCPUS: Double
    var benchCPUS: Double
    /// Operator CPU (fleetctl and its ssh) per host in the cold first cycle: a new connection.
    var coldCPUPerHostS: Double
    var fleetctlRSSMiB: Double
    var masterRSSMiB: Double
    var masterPSSMiB: Double
    var masterDescriptors: Int
    var fleetctlDescriptors: Int
    var operatorProcesses: Int
    var soak: Soak

    var coldCycleS: Double { coldCycle?.end ?? .nan }
    var clientCPUS: Double { muxClientCPUS + masterCPUS }
    var operatorCPUS: Double { fleetctlCPUS + clientCPUS }

    init(run: FleetWatchRun, hosts: Int) {
        self.hosts = hosts
        coldCycle = WatchCycles.round(1, of: run.arrivals)
        warmFrom = WatchCycles.answeredByAll(run.arrivals, count: 2) ?? .infinity
        cycles = WatchCycles.warm(
            run.arrivals, hosts: hosts, from: warmFrom, to: WatchCycles.firstFinished(run.arrivals) ?? 0)
        warm = Statistics(values: cycles.map(\.duration))
        coverage = hosts > 0 ? Double(cycles.map(\.hosts).min() ?? 0) / Double(hosts) : 0
        let window = (start: cycles.first?.start ?? .nan, end: cycles.last?.end ?? .nan)
        latency = Statistics(
            values: run.arrivals.filter { $0.startedAt >= window.start && $0.at <= window.end }.map(\.latencyS))
        let inWindow = run.samples.filter { $0.at >= window.start && $0.at <= window.end }
        let first = inWindow.first
        let last = inWindow.last
        let polls = Double(run.arrivals.filter { $0.at > (first?.at ?? .infinity) && $0.at <= (last?.at ?? 0) }.count)
        func perCycle(_ seconds: (FleetWatchRun.Sample) -> Double) -> Double {
            guard let first, let last, polls > 0 else { return .nan }
            return (seconds(last) - seconds(first)) / polls * Double(hosts)
        }
        fleetctlCPUS = perCycle(\.fleetctlCPU)
        muxClientCPUS = perCycle(\.clientCPU)
        masterCPUS = perCycle(\.masterCPU)
        sshdCPUS = perCycle(\.sshdCPU)
        benchCPUS = perCycle(\.benchCPU)
        if let coldEnd = coldCycle?.end, let sample = run.samples.last(where: { $0.at <= coldEnd }), hosts > 0 {
            coldCPUPerHostS = (sample.fleetctlCPU + sample.clientCPU + sample.masterCPU) / Double(hosts)
        } else {
            coldCPUPerHostS = .nan
        }
        fleetctlRSSMiB = Double(run.samples.map(\.fleetctlRSSKiB).max() ?? 0) / 1024
        masterRSSMiB = Double(run.samples.map(\.masterRSSKiB).max() ?? 0) / 1024
        masterPSSMiB = Double(run.masterPSSKiB) / 1024
        masterDescriptors = run.masterDescriptors
        fleetctlDescriptors = run.samples.map(\.fleetctlDescriptors).max() ?? 0
        operatorProcesses = run.samples.map(\.operatorProcesses).max() ?? 0
        let quarter = max(1, inWindow.count / 4)
        let (head, tail) = (inWindow.prefix(quarter), inWindow.suffix(quarter))
        func spans(_ value: (FleetWatchRun.Sample) -> Double) -> (first: Span, last: Span) {
            (Span(head.map(value)), Span(tail.map(value)))
        }
        soak = Soak(
            rssMiB: spans { Double($0.fleetctlRSSKiB) / 1024 }, descriptors: spans { Double($0.fleetctlDescriptors) },
            processes: spans { Double($0.lastingProcesses) }, masters: Span(inWindow.map { Double($0.masters) }))
    }
}
