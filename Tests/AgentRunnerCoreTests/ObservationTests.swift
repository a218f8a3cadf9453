import Detectors
import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// A log directory and config for in-process observation tests.
final class ObservationFixture {
    let root: String
    let logDir: String
    let config: AgentRunnerConfig

    init(_ test: XCTestCase, extra: String = "", zones: (any ZoneSource)? = nil) throws {
        root = NSTemporaryDirectory() + "obs-" + UUID().uuidString
        logDir = root + "/logs"
        try FileManager.default.createDirectory(atPath: logDir, withIntermediateDirectories: true)
        let path = root
        test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let toml = """
            schema_version = 1
            [agent]
            command = ["claude"]
            prompt_arg_template = ["-p", "{prompt}"]
            [runtime]
            work_dir = "."
            log_dir = "logs"
            [prompt]
            file = "prompt.md"
            \(extra)
            """
        try toml.write(toFile: root + "/agent-runner.toml", atomically: true, encoding: .utf8)
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: root, currentDirectory: root),
            fileSystem: LocalFileSystem(), zones: zones)
        config = try loader.load(path: root + "/agent-runner.toml")
    }

    var writer: EventLogWriter { EventLogWriter(directory: logDir) }

    func builder(now: UTCInstant = SystemClock().now()) -> PeekBuilder {
        PeekBuilder(
            config: config, clock: FixedClock(instant: now),
            service: ServiceProbe(
                project: config.project, logDir: logDir, home: root, runner: PosixProcessRunner(),
                environment: [:], systemUnitDirectory: root + "/etc"))
    }

    /// Appends one round's events (start, spawn, exit, end, usage) at `instant`.
    func round(_ number: Int, exitCode: Int = 0, duration: Double = 1.5, at instant: UTCInstant) throws {
        let round = JSONValue.int(Int64(number))
        try writer.append(.roundStart, ["round_num": round, "phase": .null], at: instant)
        try writer.append(.agentSpawn, ["round_num": round, "timeout_s": 1800], at: instant)
        try writer.append(
            .agentExit,
            [
                "round_num": round, "exit_code": .int(Int64(exitCode)), "duration_s": .double(duration),
                "timed_out": false, "exit_cause": .string(exitCode == 0 ? "clean" : "error"),
            ], at: instant)
        try writer.append(.roundEnd, ["round_num": round], at: instant)
        try writer.append(
            .agentUsageRecorded, ["agent": "claude", "round_num": round, "success": .bool(exitCode == 0)], at: instant)
    }
}

struct FixedClock: WallClock {
    var instant: UTCInstant
    func now() -> UTCInstant { instant }
}

final class PeekTests: XCTestCase {
    let now = EventTimestamp.parse("2026-11-25T12:00:00.000Z")!

    /// A 200 MB log: peek reads the same bounded tail as on a small log and gives the same answer.
    func testPeekReadsABoundedTailOfAHugeLog() throws {
        let small = try ObservationFixture(self)
        let huge = try ObservationFixture(self)
        // 200 MB of old events, written fast as one repeated block, into last month's file…
        let line =
            #"{"ts": "2026-10-01T00:00:00.000Z", "event": "round_progress", "round_num": 1, "log_size_kb": 1, "last_write_age_s": 0, "wall_age_s": 5}"#
            + "\n"
        let block = [UInt8](String(repeating: line, count: (1 << 20) / line.utf8.count).utf8)
        let fd = open(huge.logDir + "/events-2026-10.jsonl", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        XCTAssertGreaterThan(fd, 0)
        for _ in 0..<200 { XCTAssertEqual(block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }, block.count) }
        close(fd)
        // …and as much again into this month's, before the rounds that matter.
        try FileManager.default.copyItem(
            atPath: huge.logDir + "/events-2026-10.jsonl", toPath: huge.logDir + "/events-2026-11.jsonl")
        for fixture in [small, huge] {
            for number in 1...30 {
                try fixture.round(number, exitCode: number == 30 ? 3 : 0, at: now.adding(seconds: Int64(number - 60)))
            }
        }
        let fromSmall = try small.builder(now: now).build(PeekOptions(events: 5))
        let fromHuge = try huge.builder(now: now).build(PeekOptions(events: 5))

        XCTAssertLessThan(fromHuge.logBytesRead, 2 << 20, "peek must read a bounded tail, not the 400 MB log")
        XCTAssertLessThanOrEqual(fromHuge.tail.linesScanned, EventTail.defaultLineBudget)
        XCTAssertEqual(fromSmall.document["recent_rounds"], fromHuge.document["recent_rounds"])
        XCTAssertEqual(fromSmall.document["recent_events"], fromHuge.document["recent_events"])
        let rounds = try XCTUnwrap(fromHuge.document["recent_rounds"]?.arrayValue)
        XCTAssertEqual(rounds.last?["round_num"], .int(30))
        XCTAssertEqual(rounds.last?["exit_code"], .int(3))
        XCTAssertGreaterThanOrEqual(rounds.filter { $0["exit_code"] != .null }.count, 10)
        XCTAssertEqual(fromHuge.document["recent_events"]?.arrayValue?.count, 5)
    }

    func testSystemBlockAndHistoryFromMetrics() throws {
        let fixture = try ObservationFixture(self)
        let metrics = EventLogWriter(directory: fixture.logDir, prefix: EventLogFile.metricsPrefix)
        var sample = HostMetrics()
        sample.memTotalMB = 4000
        sample.memAvailableMB = 1000
        sample.diskUsedPct = 91
        sample.diskFreeGB = 2
        sample.psiSomeAvg10 = 1.5
        for offset in [-7200, -1700, -600, -60] as [Int64] {
            try metrics.append(.roundEnd, sample.payload(round: 1, phase: nil), at: now.adding(seconds: offset))
        }
        let document = try fixture.builder(now: now).build(PeekOptions()).document
        let system = try XCTUnwrap(document["system"]?.objectValue)
        XCTAssertEqual(
            Array(system.keys.prefix(8)),
            [
                "mem_total_mb", "mem_available_mb", "disk_used_pct", "disk_free_gb", "load_1m", "cpu_pct",
                "agent_process_count", "ts",
            ])
        XCTAssertEqual(system["disk_used_pct"], .double(91))
        XCTAssertEqual(system["mem_total_mb"], .int(4000))
        XCTAssertEqual(system["psi_some_avg10"], .double(1.5))
        // History: samples within 1800 s before the latest (the 2-hour-old one is out of the window).
        XCTAssertEqual(document["system_history"]?.arrayValue?.count, 2)
        let observation = HostObservation(peek: document, pollerNow: now)
        XCTAssertEqual(observation.system.count, 3)
        XCTAssertEqual(observation.latestSample?.diskUsedPct, 91)
        let report = DetectorSuite.standard.run(observation, settings: AnomalyMonitor.settings(for: fixture.config))
        XCTAssertEqual(report.alerts.map(\.detector), ["disk_warning"])
    }

    func testRateLimitFollowsTheLadderAndRecovery() throws {
        let fixture = try ObservationFixture(self)
        let detected: JSONObject = [
            "classification": "rate_limit_account", "agent": "claude", "reset_at_epoch": .int(now.seconds + 600),
            "round_num": 4, "raw": "limit", "phase": "",
        ]
        try fixture.writer.append(.transientErrorDetected, detected, at: now.adding(seconds: -5))
        let limit = try XCTUnwrap(
            try fixture.builder(now: now).build(PeekOptions()).document["service"]?["rate_limit"]?.objectValue)
        XCTAssertEqual(
            Array(limit.keys),
            ["throttled_until_epoch", "limit_type", "agent", "since_round", "phase", "throttled_agents"])
        XCTAssertEqual(limit["throttled_until_epoch"], .int(now.seconds + 600))
        XCTAssertEqual(limit["since_round"], .int(4))
        XCTAssertEqual(limit["throttled_agents"], .array(["claude"]))
        // Past the reset: not throttled any more.
        XCTAssertEqual(
            try fixture.builder(now: now.adding(seconds: 601)).build(PeekOptions()).document["service"]?["rate_limit"],
            .null)
        // Recovered: not throttled.
        try fixture.writer.append(
            .transientErrorRecovered,
            ["classification": "rate_limit_account", "agent": "claude", "throttled_for_s": 1], at: now)
        XCTAssertEqual(try fixture.builder(now: now).build(PeekOptions()).document["service"]?["rate_limit"], .null)
    }

    func testSelectAndRoundErrors() throws {
        let fixture = try ObservationFixture(self)
        let document = try fixture.builder(now: now).build(PeekOptions()).document
        XCTAssertEqual(try JSONSelect.select("defenses.0.name", in: document), .string("round_budget_s"))
        XCTAssertThrowsError(try fixture.builder(now: now).build(PeekOptions(round: .number(99)))) { error in
            XCTAssertTrue("\(error)".contains("round 99 not found"), "\(error)")
        }
    }

    /// Every defense names a test file that exists in this repository.
    func testDefensesNameExistingTests() throws {
        let fixture = try ObservationFixture(self)
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().path
        let defenses = DefenseCatalogue.entries(for: fixture.config)
        XCTAssertEqual(Set(defenses.map(\.name)).count, defenses.count)
        for defense in defenses {
            let path = try XCTUnwrap(defense.guardedBy)
            XCTAssertTrue(
                FileManager.default.fileExists(atPath: repository + "/" + path),
                "\(defense.name): \(path) does not exist")
        }
        XCTAssertEqual(defenses.first { $0.name == "critical_envs_injection" }?.currentState, .off)
    }
}

final class EventTailTests: XCTestCase {
    func testKindPrefilter() {
        XCTAssertEqual(
            Event.kind(inLine: Array(#"{"ts": "x", "event": "round_end", "round_num": 1}"#.utf8)), "round_end")
        XCTAssertEqual(Event.kind(inLine: Array(#"{"ts":"x","event":"a_b"}"#.utf8)), "a_b")
        XCTAssertEqual(Event.kind(inLine: Array(#"{"note": "\"event\": \"fake\"", "event": "real"}"#.utf8)), "real")
        XCTAssertNil(Event.kind(inLine: Array(#"{"ts": "x"}"#.utf8)))
        XCTAssertNil(Event.kind(inLine: Array(#"{"event": 3}"#.utf8)))
    }
}

final class HostMetricsTests: XCTestCase {
    func testSamplerReadsProcFiles() throws {
        let proc = NSTemporaryDirectory() + "proc-" + UUID().uuidString
        addTeardownBlock { try? FileManager.default.removeItem(atPath: proc) }
        let files = [
            "meminfo": "MemTotal:        4096000 kB\nMemFree:          512000 kB\nMemAvailable:    1024000 kB\n",
            "vmstat": "pgpgin 1\npswpin 2\npswpout 10\n",
            "pressure/memory":
                "some avg10=1.50 avg60=0.00 avg300=0.00 total=10\nfull avg10=0.25 avg60=0.00 avg300=0.00 total=77\n",
            "loadavg": "0.28 0.5 1.25 1/100 42\n",
            "stat": "cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3 4\n",
            "101/comm": "claude\n", "102/comm": "claude\n", "103/comm": "bash\n",
        ]
        for (name, text) in files {
            let path = proc + "/" + name
            try FileManager.default.createDirectory(
                atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        }
        var sampler = HostMetricsSampler(agentBinary: "claude", procRoot: proc)
        let first = sampler.sample(diskPath: proc)
        XCTAssertEqual(first.memTotalMB, 4000)
        XCTAssertEqual(first.memAvailableMB, 1000)
        XCTAssertEqual(first.memFreeMB, 500)
        XCTAssertEqual(first.memUsedPct, 75)
        XCTAssertEqual(first.swapSout, 10 * Int64(sysconf(Int32(_SC_PAGESIZE))))
        XCTAssertEqual(first.psiSomeAvg10, 1.5)
        XCTAssertEqual(first.psiFullAvg10, 0.25)
        XCTAssertEqual(first.psiFullTotal, 77)
        XCTAssertNil(first.ioPsiSomeAvg10, "no /proc/pressure/io: null")
        XCTAssertEqual(first.load1m, 0.28)
        XCTAssertEqual(first.load15m, 1.25)
        XCTAssertNil(first.cpuPct, "no earlier sample")
        XCTAssertEqual(first.agentProcessCount, 2)
        XCTAssertGreaterThan(first.diskTotalGB, 0)
        try "cpu  200 0 100 900 0 0 0 0 0 0\n".write(toFile: proc + "/stat", atomically: true, encoding: .utf8)
        XCTAssertEqual(sampler.sample(diskPath: proc).cpuPct, 50)

        let payload = first.payload(round: 3, phase: "build")
        XCTAssertEqual(payload.keys.first, "mem_total_mb")
        XCTAssertEqual(Array(payload.keys.suffix(2)), ["round_num", "phase"])
        XCTAssertEqual(payload["io_psi_full_avg10"], .null)
    }

    /// The real host's /proc answers every reading this machine has (its cost is measured by
    /// `fleet-bench serve-overhead`, in a release build, not here).
    func testSamplingTheRealHostReadsItsSources() {
        var sampler = HostMetricsSampler(agentBinary: "claude")
        _ = sampler.sample(diskPath: "/tmp")
        let second = sampler.sample(diskPath: "/tmp")
        XCTAssertGreaterThan(second.memTotalMB, 0)
        XCTAssertGreaterThan(second.diskUsedPct, 0)
    }
}
