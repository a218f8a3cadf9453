#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Detectors
import FleetCore

/// `detectors`: the detector + alert engine for 10,000 simulated hosts in-process, per cycle
/// (every host once): the peek document fleetctl really receives (`agent-runner peek --json
/// --events 200` of a generated project) is decoded, turned into a HostObservation, run through
/// the DetectorSuite and recorded in the host's AlertTracker. Reported with and without the JSON
/// decoding, which dominates.
enum DetectorsScenario {
    static func run(hosts: Int = 10_000, cycles: Int = 5) {
        let dir = Bench.temporaryDirectory("detectors")
        defer { Bench.shell("rm -rf '\(dir)'") }
        _ = PeekScenario.generate(events: 5_000, in: dir)
        let peek = Bench.shell("'\(Bench.binary("agent-runner"))' --config '\(dir)/agent-runner.toml' peek --json --events 200")
        guard peek.exit == .terminated(0) else { Bench.fail("peek failed: \(peek.stderrText)") }
        let bytes = peek.stdout
        let parser = JSONParser(limits: JSONParser.Limits(maxDepth: 64, maxBytes: 4 << 20), invalidUTF8: .replace)
        guard let document = try? parser.parse(bytes) else { Bench.fail("peek output is not JSON") }
        let policy = Inventory.DetectorPolicy()
        var trackers = [AlertTracker](repeating: AlertTracker(), count: hosts)
        let now = UTCInstant(seconds: Int64(time(nil)))

        var engineOnly: [Double] = []
        var withDecode: [Double] = []
        for _ in 0..<cycles {
            var start = ContinuousClock.now
            for index in 0..<hosts {
                let observation = HostObservation(peek: document, pollerNow: now)
                let report = DetectorSuite.run(observation, policy: policy)
                _ = trackers[index].record(.measured(report.alerts), at: now)
            }
            engineOnly.append(Bench.seconds(ContinuousClock.now - start))
            start = ContinuousClock.now
            for index in 0..<hosts {
                guard let decoded = try? parser.parse(bytes) else { continue }
                let observation = HostObservation(peek: decoded, pollerNow: now)
                let report = DetectorSuite.run(observation, policy: policy)
                _ = trackers[index].record(.measured(report.alerts), at: now)
            }
            withDecode.append(Bench.seconds(ContinuousClock.now - start))
        }
        let peakKiB = peakResident()
        Bench.say("detectors: \(hosts) hosts per cycle, \(cycles) cycles, peek document of \(bytes.count / 1024) KiB (--events 200)")
        Bench.say("  observation + detectors + alert state: \(Statistics(values: engineOnly).line(unit: "ms per cycle", scale: 1000))")
        Bench.say("  the same plus decoding each peek JSON: \(Statistics(values: withDecode).line(unit: "ms per cycle", scale: 1000))")
        Bench.say("  peak RSS of the run: \(format(Double(peakKiB) / 1024)) MiB")
    }

    /// VmHWM of this process in KiB.
    static func peakResident() -> Int {
        guard let bytes = try? LocalFileSystem().readFile("/proc/self/status", limit: 1 << 16) else { return 0 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}
