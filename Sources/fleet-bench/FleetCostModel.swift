/// What one operator machine can watch, fitted from `fleet-scale`'s measured sizes.
///
/// Costs are straight lines in the number of hosts (least squares over the sizes): CPU per
/// poll on the operator side (fleetctl and its ssh clients; on loopback the sshd side runs on
/// the same cores, but on a real fleet it runs on the hosts, so it is kept apart), memory per
/// host (fleetctl's RSS plus one ControlMaster's PSS), and the warm cycle (every host polled
/// once as fast as the loop can). A fleet size per machine follows from three budgets; the
/// smallest wins, and `--shard K/N` splits a fleet into shards of that size.
struct FleetCostModel: Equatable {
    /// One measured fleet size.
    struct Sample: Equatable {
        var hosts: Int
        /// fleetctl's own CPU plus its ssh clients' (mux clients and ControlMasters), per cycle.
        var operatorCPUS: Double
        /// fleetctl's RSS plus the ControlMasters' total PSS.
        var operatorMiB: Double
        /// Median warm cycle.
        var cycleS: Double
    }

    /// Operator CPU per poll (ms): the slope of CPU per cycle over hosts.
    var cpuMsPerPoll: Double
    /// Memory per host (MiB) and what does not grow with the fleet (MiB).
    var mibPerHost: Double
    var fixedMiB: Double
    /// Warm cycle: seconds per host and a fixed part.
    var cycleSPerHost: Double
    var cycleFixedS: Double

    /// A straight line through the points by least squares: (intercept, slope).
    static func line(_ points: [(x: Double, y: Double)]) -> (intercept: Double, slope: Double) {
        guard points.count > 1 else {
            let only = points.first
            return (0, only.map { $0.x == 0 ? 0 : $0.y / $0.x } ?? 0)
        }
        let meanX = points.map(\.x).reduce(0, +) / Double(points.count)
        let meanY = points.map(\.y).reduce(0, +) / Double(points.count)
        let spread = points.map { ($0.x - meanX) * ($0.x - meanX) }.reduce(0, +)
        guard spread > 0 else { return (meanY, 0) }
        let slope = points.map { ($0.x - meanX) * ($0.y - meanY) }.reduce(0, +) / spread
        return (meanY - slope * meanX, slope)
    }

    static func fit(_ samples: [Sample]) -> FleetCostModel {
        let cpu = line(samples.map { (Double($0.hosts), $0.operatorCPUS) })
        let memory = line(samples.map { (Double($0.hosts), $0.operatorMiB) })
        let cycle = line(samples.map { (Double($0.hosts), $0.cycleS) })
        return FleetCostModel(
            cpuMsPerPoll: cpu.slope * 1000, mibPerHost: memory.slope, fixedMiB: memory.intercept,
            cycleSPerHost: cycle.slope, cycleFixedS: cycle.intercept)
    }

    /// The budgets one machine gives a watch, and how many hosts each allows.
    struct Capacity: Equatable {
        /// CPU: `cpuShare` of `cores` spent on polls every `intervalS`.
        var byCPU: Int
        /// Memory: `memoryMiB` for fleetctl and its ControlMasters.
        var byMemory: Int
        /// Time: a cycle of every host at once fits in `cycleShare` of the interval, so hosts
        /// that fall due together are all polled well before they are due again.
        var byCycle: Int
        var hosts: Int { min(byCPU, byMemory, byCycle) }
    }

    func capacity(
        intervalS: Double, cores: Double, cpuShare: Double = 0.5, memoryMiB: Double, cycleShare: Double = 0.5
    ) -> Capacity {
        func hosts(_ value: Double) -> Int { value.isFinite ? max(0, Int(value.rounded(.down))) : Int.max }
        return Capacity(
            byCPU: hosts(intervalS * cores * cpuShare / max(cpuMsPerPoll / 1000, 1e-9)),
            byMemory: hosts((memoryMiB - fixedMiB) / max(mibPerHost, 1e-9)),
            byCycle: hosts((intervalS * cycleShare - cycleFixedS) / max(cycleSPerHost, 1e-9)))
    }

    /// Shards (`--shard K/N`, one fleetctl watch each) for a fleet of `hosts` at `perShard` hosts each.
    static func shards(for hosts: Int, perShard: Int) -> Int {
        guard perShard > 0 else { return hosts }
        return max(1, (hosts + perShard - 1) / perShard)
    }
}
