import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `peek`: wall time and peak memory of `agent-runner peek --json` on event logs of 10k, 100k
/// and 1M events (with the metrics lines serve writes for as many rounds). Peek reads a bounded
/// tail, so both numbers must stay flat as the log grows.
///
/// Peak RSS is the child's `ru_maxrss` from `wait4`. The children are spawned by a small helper
/// process (`fleet-bench measure-child`), not by this one: a vfork-ed child's maxrss also counts
/// the spawning process's high-water mark, which for this process includes the log generation.
enum PeekScenario {
    static let sizes = [10_000, 100_000, 1_000_000]

    static func run(runs: Int) {
        Bench.say("peek: agent-runner peek --json, \(runs) runs per size (page cache warm)")
        let original = OriginalTool.binary()
        for size in sizes {
            let dir = Bench.temporaryDirectory("peek")
            defer { Bench.shell("rm -rf '\(dir)'") }
            let bytes = generate(events: size, in: dir)
            let samples = measure(
                runs: runs,
                arguments: [Bench.binary("agent-runner"), "--config", dir + "/agent-runner.toml", "peek", "--json"])
            let label = size >= 1_000_000 ? "\(size / 1_000_000)M" : "\(size / 1000)k"
            Bench.say("  \(label) events (\(format(Double(bytes) / 1_048_576)) MiB of logs):")
            Bench.say("    wall: \(Statistics(values: samples.map(\.seconds)).line(unit: "ms", scale: 1000))")
            Bench.say(
                "    peak RSS: \(Statistics(values: samples.map { Double($0.maxRSSKiB) }).line(unit: "MiB", scale: 1.0 / 1024))"
            )
            // The original reads every month file whole: a few runs are enough to see it.
            if let original {
                let theirs = measure(
                    runs: size >= 1_000_000 ? 2 : max(3, runs / 5),
                    arguments: [original, "--config", originalConfig(dir), "peek", "--json"])
                let ratio =
                    Statistics(values: theirs.map(\.seconds)).median / Statistics(values: samples.map(\.seconds)).median
                Bench.say(
                    "    cli-agent-runner 0.3.14: wall \(Statistics(values: theirs.map(\.seconds)).line(unit: "ms", scale: 1000)); peak RSS \(Statistics(values: theirs.map { Double($0.maxRSSKiB) }).line(unit: "MiB", scale: 1.0 / 1024)); \(format(ratio))x slower"
                )
            }
        }
    }

    /// The same project described for the original tool (its key names; it insists on the file
    /// name agent-runner.toml), reading the same log dir.
    static func originalConfig(_ dir: String) -> String {
        let folder = dir + "/original/demo"
        Directories.create(folder)
        let config = """
            schema_version = 1
            [agent]
            command = ["claude", "--output-format", "stream-json"]
            prompt_arg_template = ["-p", "{prompt}"]
            [runtime]
            work_dir = "\(dir)"
            log_dir = "\(dir)/logs"
            round_budget_s = 1800
            [prompt]
            file = "\(dir)/prompt.md"

            """
        try? AtomicFile.write(config, to: folder + "/agent-runner.toml")
        return folder + "/agent-runner.toml"
    }

    struct Sample {
        var seconds: Double
        var maxRSSKiB: Int
    }

    static func measure(runs: Int, arguments: [String]) -> [Sample] {
        let helper = Bench.shell(
            "'\(Bench.binary("fleet-bench"))' measure-child \(runs) "
                + arguments.map { "'\($0)'" }.joined(separator: " "))
        guard helper.exit == .terminated(0) else { Bench.fail("measure-child failed: \(helper.stderrText)") }
        return helper.stdoutText.split(separator: "\n").compactMap { line in
            let fields = line.split(separator: " ")
            guard fields.count == 2, let nanoseconds = Double(fields[0]), let rss = Int(fields[1]) else { return nil }
            return Sample(seconds: nanoseconds / 1e9, maxRSSKiB: rss)
        }
    }

    /// `fleet-bench measure-child N ARGV...`: runs ARGV N times (stdout to /dev/null) and prints
    /// `<wall ns> <ru_maxrss KiB>` per run. Exits 1 if a run fails.
    static func measureChild(_ arguments: [String]) -> Never {
        guard arguments.count >= 2, let runs = Int(arguments[0]) else {
            Bench.fail("usage: fleet-bench measure-child N ARGV...")
        }
        let argv = Array(arguments.dropFirst())
        for _ in 0..<runs {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            var cArgs = argv.map { strdup($0) } + [nil]
            var pid: pid_t = 0
            let start = ContinuousClock.now
            let spawned = posix_spawn(&pid, argv[0], &actions, nil, &cArgs, environ)
            for pointer in cArgs { free(pointer) }
            posix_spawn_file_actions_destroy(&actions)
            guard spawned == 0 else { Bench.fail("cannot start \(argv[0]): \(SystemError.text(spawned))") }
            var status: Int32 = 0
            var usage = rusage()
            while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
            let elapsed = ContinuousClock.now - start
            guard status == 0 else { Bench.fail("\(argv.joined(separator: " ")) exited with status \(status)") }
            let nanoseconds =
                elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000
            Bench.say("\(nanoseconds) \(usage.ru_maxrss)")
        }
        exit(0)
    }

    /// A project whose logs hold `events` events: rounds of 8 events as serve writes them, two
    /// metrics lines per round, status.json. Returns the bytes written.
    static func generate(events: Int, in dir: String) -> Int {
        let config = """
            schema_version = 1
            [agent]
            command = ["claude", "--output-format", "stream-json"]
            prompt_arg_template = ["-p", "{prompt}"]
            [runtime]
            work_dir = "."
            log_dir = "logs"
            [prompt]
            file = "prompt.md"

            """
        Directories.create(dir + "/logs")
        try? AtomicFile.write(config, to: dir + "/agent-runner.toml")
        let rounds = max(events / 8, 1)
        let clock = SystemClock().now()
        let first = clock.adding(seconds: -Int64(rounds) * 60)
        let eventsFile = EventLogFile(directory: dir + "/logs", instant: clock).path
        let metricsFile = EventLogFile(directory: dir + "/logs", instant: clock, prefix: EventLogFile.metricsPrefix)
            .path
        var eventsOut = BufferedFile(path: eventsFile)
        var metricsOut = BufferedFile(path: metricsFile)
        let head = String(repeating: "a", count: 40)
        let digest = String(repeating: "b", count: 64)
        for round in 1...rounds {
            let ts = EventTimestamp.format(first.adding(seconds: Int64(round) * 60))
            let start = #"{"ts": "\#(ts)", "event": "#
            eventsOut.append(
                start
                    + #""round_substrate_before", "round_num": \#(round), "git_head": "\#(head)", "paths_hash": null}"#)
            eventsOut.append(
                start
                    + #""round_start", "round_num": \#(round), "phase": null, "config_digest": "\#(digest)", "config_changed": false}"#
            )
            eventsOut.append(start + #""agent_spawn", "round_num": \#(round), "timeout_s": 1800}"#)
            eventsOut.append(
                start
                    + #""round_progress", "round_num": \#(round), "log_size_kb": 12, "last_write_age_s": 3, "wall_age_s": 30}"#
            )
            eventsOut.append(
                start
                    + #""agent_exit", "round_num": \#(round), "exit_code": 0, "duration_s": 41.2, "timed_out": false, "exit_cause": "clean"}"#
            )
            eventsOut.append(start + #""round_end", "round_num": \#(round)}"#)
            eventsOut.append(
                start
                    + #""agent_usage_recorded", "agent": "claude", "model": "claude-opus-5", "round_num": \#(round), "input_tokens": 5, "output_tokens": 6, "cached_tokens": 17806, "cost_usd": 0.0855405, "duration_ms": 6657, "models_breakdown": null, "cache_creation_tokens": 12234, "tool_call_count": 1, "phase": "", "success": true}"#
            )
            eventsOut.append(
                start + #""round_substrate_after", "round_num": \#(round), "git_head": "\#(head)", "paths_hash": null}"#
            )
            for boundary in ["round_start", "round_end"] {
                metricsOut.append(
                    #"{"ts": "\#(ts)", "event": "\#(boundary)", "mem_total_mb": 24105, "mem_used_pct": 1.4, "mem_available_mb": 23763, "mem_free_mb": 23284, "swap_sout": 0, "psi_some_avg10": 0.0, "psi_full_avg10": 0.0, "psi_full_total": 0, "io_psi_some_avg10": 0.0, "io_psi_full_avg10": 0.0, "disk_total_gb": 252.0, "disk_free_gb": 79.5, "disk_used_pct": 15.8, "inode_used_pct": 2.4, "load_1m": 0.33, "load_5m": 0.21, "load_15m": 0.09, "cpu_pct": 6.8, "agent_process_count": 0, "round_num": \#(round)}"#
                )
            }
        }
        let total = eventsOut.finish() + metricsOut.finish()
        let status =
            #"{"round_num": \#(rounds), "running": false, "last_completed_at": "\#(EventTimestamp.format(clock))", "last_exit_code": 0, "last_duration_s": 41.2, "phase_index": 0}"#
        try? AtomicFile.write(status + "\n", to: dir + "/logs/status.json")
        return total
    }

    /// Appends lines through a 1 MiB buffer, so generating hundreds of MB takes seconds.
    struct BufferedFile {
        let fd: Int32
        var buffer: [UInt8] = []
        var written = 0

        init(path: String) {
            fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { Bench.fail("cannot create \(path): \(SystemError.text(errno))") }
            buffer.reserveCapacity(1 << 20)
        }

        mutating func append(_ line: String) {
            buffer.append(contentsOf: line.utf8)
            buffer.append(UInt8(ascii: "\n"))
            if buffer.count >= 1 << 20 { flush() }
        }

        mutating func flush() {
            var offset = 0
            while offset < buffer.count {
                let count = buffer.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
                guard count > 0 else { Bench.fail("write failed: \(SystemError.text(errno))") }
                offset += count
            }
            written += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }

        mutating func finish() -> Int {
            flush()
            close(fd)
            return written
        }
    }
}
