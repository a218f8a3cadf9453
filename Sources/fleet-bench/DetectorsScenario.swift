import Detectors
import FleetControl
import FleetCore
import Monitoring
import SSHTransport
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `detectors`: the detector + alert engine on 10,000 simulated hosts, in process.
///
/// Two figures per cycle: the engine alone (detectors, hold, episodes, tolerance, auto-stop
/// plan: `HostMonitor.observe` over observations already parsed), and the whole watch loop
/// (worker threads, peek JSON parsing, the engine, reports) over a transport that answers
/// from memory. 1 % of hosts fail auth, 1 % have a full disk, 1 % are unreachable.
enum DetectorsScenario {
    static let hosts = 10_000

    static func run(rounds: Int) {
        let cycles = max(3, min(rounds, 10))
        let documents = (0..<4).map { kind in JSONWriter(style: .compact).encode(document(kind: kind)) }
        let now = SystemClock().now()
        let observations = (0..<3).map { kind in
            HostObservation(peek: try! JSONParser.strict.parse(documents[kind]), pollerNow: now)
        }

        if CommandLine.arguments.contains("--per-detector") {
            for detector in DetectorSuite.catalogue {
                let one = DetectorSuite(detectors: [detector])
                let started = ContinuousClock.now
                for index in 0..<hosts { _ = one.run(observations[index % 3], settings: DetectorSettings()) }
                Bench.say(
                    "detectors:   \(detector.name): \(format(Bench.seconds(ContinuousClock.now - started) * 1000)) ms per \(hosts) hosts"
                )
            }
        }
        // The per-poll work before the engine: peek bytes → JSON tree → observation (with its event index).
        var decode: [Double] = []
        for _ in 0..<cycles {
            let started = ContinuousClock.now
            for index in 0..<hosts {
                guard let value = try? JSONParser.strict.parse(documents[index % 3]) else { continue }
                _ = HostObservation(peek: value, pollerNow: now)
            }
            decode.append(Bench.seconds(ContinuousClock.now - started))
        }
        Bench.say(
            "detectors: \(hosts) hosts, decode only (peek JSON of \(documents[0].count) bytes → observation, one thread): \(Statistics(values: decode).line(unit: "ms/cycle", scale: 1000))"
        )
        var monitors = (0..<hosts).map { HostMonitor(host: "h\($0)", policy: MonitorPolicy(toleranceS: 90)) }
        var engine: [Double] = []
        var notifications = 0
        for cycle in 0..<cycles {
            let at = Seconds.instant(Seconds.epoch(now) + Double(cycle) * 30)
            let started = ContinuousClock.now
            for index in monitors.indices {
                let input: HostMonitor.Input
                switch index % 100 {
                case 0: input = .measured(observations[1])
                case 1: input = .measured(observations[2])
                case 2: input = .unreachable(RemoteFailure(returncode: 255, stderrTail: "Connection refused"))
                default: input = .measured(observations[0])
                }
                notifications += monitors[index].observe(input, at: at).notifications.count
            }
            engine.append(Bench.seconds(ContinuousClock.now - started))
        }
        Bench.say(
            "detectors: \(hosts) hosts, engine only (detectors + alert state, observations pre-parsed): \(Statistics(values: engine).line(unit: "ms/cycle", scale: 1000)); \(notifications) notifications; peak RSS so far \(format(Double(peakRSSKiB()) / 1024)) MiB"
        )
        if CommandLine.arguments.contains("--engine-only") { return }

        let transport = MemoryTransport(documents: documents)
        let watched = MemoryTransport.hosts(hosts)
        let counter = CycleCounter()
        let watcher = WatchLoop(
            hosts: watched, remote: transport, effects: .live(),
            options: WatchLoop.Options(cycles: cycles, dryRun: true, parallel: 2, jitter: 0, autoStopLimit: 3),
            report: counter.add)
        let started = ContinuousClock.now
        watcher.run { false }
        let total = Bench.seconds(ContinuousClock.now - started)
        Bench.say(
            "detectors: \(hosts) hosts, whole watch loop (2 worker threads, peek JSON parsing, engine): \(format(total * 1000 / Double(cycles))) ms/cycle over \(cycles) cycles (\(counter.polls) polls, \(counter.notifications) notifications; the loop re-polls a host at most every 50 ms)"
        )
        Bench.say("detectors: peak RSS \(format(Double(peakRSSKiB()) / 1024)) MiB")
    }

    /// 0 healthy, 1 failing auth, 2 disk full, 3 (unused) spare.
    static func document(kind: Int) -> JSONValue {
        let now = SystemClock().now()
        var rounds: [JSONValue] = []
        for number in 0..<12 {
            let end = Seconds.instant(Seconds.epoch(now) - Double(12 - number) * 60)
            rounds.append([
                "round_num": .int(Int64(number + 1)), "phase": .null, "started_at": .string(EventTimestamp.format(end)),
                "ended_at": .string(EventTimestamp.format(end)), "exit_code": .int(kind == 1 ? 1 : 0),
                "duration_s": 30.0,
                "timed_out": false, "exit_cause": .null, "auth_failure": .bool(kind == 1), "network_failure": false,
            ])
        }
        var events: [JSONValue] = []
        for number in 0..<40 {
            events.append([
                "ts": .string(EventTimestamp.format(Seconds.instant(Seconds.epoch(now) - Double(40 - number) * 20))),
                "event": "round_end", "round_num": .int(Int64(number)),
            ])
        }
        return [
            "generated_at": .string(EventTimestamp.format(now)), "agent_runner_version": "bench", "project": "bench",
            "status": ["round_num": 12, "last_exit_code": 0], "recent_rounds": .array(rounds),
            "recent_events": .array(events),
            "config": ["round_timeout_s": 1800],
            "system": [
                "ts": .string(EventTimestamp.format(now)), "disk_used_pct": .double(kind == 2 ? 97 : 40),
                "mem_available_mb": 4000, "mem_free_mb": 2000,
            ],
            "service": ["mode": "pid_file", "active": true],
        ]
    }

    static func peakRSSKiB() -> Int {
        guard let bytes = try? LocalFileSystem().readFile("/proc/self/status", limit: 1 << 16) else { return 0 }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix("VmHWM:") {
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}

/// Answers peek from memory: `h<N>` hosts by N % 100 (0 auth failing, 1 disk full, 2 unreachable).
final class MemoryTransport: RemoteExecutor, Sendable {
    let documents: [[UInt8]]
    init(documents: [[UInt8]]) { self.documents = documents }

    /// `h0` … `h<count-1>`, re-polled as soon as the loop allows (it waits at least 50 ms).
    static func hosts(_ count: Int) -> [MonitoredHost] {
        let settings = PollSettings(pollIntervalS: 0.001)
        return (0..<count).map { index in
            MonitoredHost(
                target: PollTarget(
                    name: "h\(index)", remote: RemoteHost(name: "h\(index)", target: try! SSHTarget("h\(index)")),
                    settings: settings),
                policy: MonitorPolicy(settleS: MonitorPolicy.settle(pollIntervalS: settings.pollIntervalS)))
        }
    }

    func run(
        host: RemoteHost, argv: [String], stdin: [UInt8]?, deadline: ContinuousClock.Instant, outputLimit: Int
    ) -> RemoteResult {
        switch (Int(host.name.dropFirst()) ?? 0) % 100 {
        case 0: return RemoteResult(host: host.name, outcome: .ok(documents[1]), errorMessage: nil)
        case 1: return RemoteResult(host: host.name, outcome: .ok(documents[2]), errorMessage: nil)
        case 2:
            return RemoteResult(
                host: host.name, outcome: .sshFailure(.connectionRefused, "refused"), errorMessage: "refused",
                stderrTail: "Connection refused", exit: .terminated(255))
        default: return RemoteResult(host: host.name, outcome: .ok(documents[0]), errorMessage: nil)
        }
    }
}

final class CycleCounter: Sendable {
    private let counts = Mutex((polls: 0, notifications: 0))
    var polls: Int { counts.withLock { $0.polls } }
    var notifications: Int { counts.withLock { $0.notifications } }
    func add(_ report: WatchReport) {
        counts.withLock { counts in
            switch report {
            case .polled: counts.polls += 1
            case .notification: counts.notifications += 1
            default: break
            }
        }
    }
}
