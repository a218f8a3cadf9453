import AgentRunnerCore
import FleetCore

/// `fleet-bench memory-sampler`: what one tick of serve's memory sampler costs on this host, in a
/// release build (the unit tests prove it allocates nothing per tick; this measures its time).
enum MemorySamplerScenario {
    static func run(runs: Int) {
        let iterations = 10_000
        let reader = MemoryReader()
        var checksum: Int64 = 0
        let host = Statistics(
            values: (0..<max(3, runs / 10)).map { _ in
                time(iterations) { checksum &+= reader.readHost().meminfo.memTotalKB ?? 0 }
            })
        Bench.say(
            "memory-sampler: read+parse of /proc/meminfo, /proc/vmstat, /proc/pressure/memory: "
                + host.line(unit: "µs/tick", scale: 1e6))
        if let location = reader.locateCgroup() {
            let files = CgroupMemoryFiles(location)
            let cgroup = Statistics(
                values: (0..<max(3, runs / 10)).map { _ in
                    time(iterations) { checksum &+= reader.readCgroup(files)?.currentBytes ?? 0 }
                })
            Bench.say(
                "memory-sampler: read+parse of this host's \(location.version.rawValue) cgroup "
                    + "(\(location.directory)): " + cgroup.line(unit: "µs/tick", scale: 1e6))
        } else {
            Bench.say("memory-sampler: no memory cgroup visible on this host")
        }
        if checksum == 42 { Bench.say("") }  // keeps the loops from being optimised away
    }

    /// Seconds per call of `body`, over `iterations` calls after one warm-up call.
    private static func time(_ iterations: Int, _ body: () -> Void) -> Double {
        body()
        let started = ContinuousClock.now
        for _ in 0..<iterations { body() }
        return (ContinuousClock.now - started).seconds / Double(iterations)
    }
}
