import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// One `agent-runner serve --max-rounds N` of a soak, watched from outside: every `every`
/// rounds (read from status.json as serve writes it after each round) serve's RSS, open
/// descriptors, threads and live children, and the log dir's disk (the round logs, their count
/// and bytes, and everything); per-round overhead afterwards from the event log (round wall time
/// minus the agent's own time minus the restart delay, as `serve-overhead` measures it).
struct ServeSoakRun {
    struct Settings {
        var label: String
        var rounds: Int
        var every: Int
        /// Bytes the fake agent prints each round (its transcript); 0 = just its result line.
        var transcriptBytes: Int
        var retention: Int
        var maxMB: Int
        var restartDelayS = 0.01
    }

    struct Sample: Equatable {
        var round: Int
        var rssKiB: Int
        var descriptors: Int
        var threads: Int
        var children: Int
        var roundLogs: Int
        var roundLogBytes: Int
        /// The biggest single round log seen (the live or just-finished round's, beyond the budget).
        var largestRoundLog: Int
        var logDirBytes: Int
        /// Of those, the monthly event and metrics logs (they grow with every round by design,
        /// bounded by event_log_months).
        var monthlyLogBytes: Int
    }

    var settings: Settings
    var samples: [Sample] = []
    /// Median overhead (seconds) of the rounds in each sample's window, by the sample's round.
    var overheads: [Int: Double] = [:]
    var seconds = 0.0

    static func run(_ settings: Settings) -> ServeSoakRun {
        let dir = Bench.temporaryDirectory("soak-\(settings.label)")
        defer { Bench.shell("rm -rf '\(dir)'") }
        let output =
            settings.transcriptBytes > 0
            ? "yes 'agent transcript line: read a file, ran a tool, wrote a patch, all of it logged' | "
                + "head -c \(settings.transcriptBytes)"
            : ":"
        BenchProject.create(
            in: dir, work: output, word: "Soak",
            runtime: [
                "restart_delay_s = \(settings.restartDelayS)", "round_log_retention = \(settings.retention)",
                "round_log_max_mb = \(settings.maxMB)",
            ])
        let started = ContinuousClock.now
        let process: RunningProcess
        do {
            process = try PosixProcessRunner().spawn(
                ProcessRequest(
                    Bench.binary("agent-runner"), arguments: ["serve", "--max-rounds", String(settings.rounds + 3)],
                    workingDirectory: dir, standardOutput: .discard, standardError: .appendToFile(dir + "/serve.stderr")
                ))
        } catch {
            Bench.fail("cannot start agent-runner serve: \(error)")
        }
        let slot = Bench.onFailure { kill(process.pid, SIGKILL) }
        defer { Bench.forgetCleanup(slot) }
        var run = ServeSoakRun(settings: settings)
        let logDir = dir + "/logs"
        var next = settings.every
        while process.poll() == nil {
            let round = Self.completedRound(logDir)
            if round >= next && next <= settings.rounds {
                run.samples.append(Self.sample(pid: process.pid, round: round, logDir: logDir))
                Bench.say("  \(settings.label): \(SoakReport.row(run.samples.last!, overhead: nil))")
                next = (round / settings.every + 1) * settings.every
            }
            usleep(10_000)
        }
        run.seconds = Bench.seconds(ContinuousClock.now - started)
        let exit = process.wait()
        guard exit == .terminated(0) else {
            let stderr = (try? LocalFileSystem().readFile(dir + "/serve.stderr", limit: 1 << 16)) ?? []
            Bench.fail("serve (\(settings.label)) exited \(exit): \(String(decoding: stderr, as: UTF8.self))")
        }
        run.overheads = Self.overheads(logDir: logDir, every: settings.every, delay: settings.restartDelayS)
        return run
    }

    /// status.json's round_num: the last round serve finished.
    static func completedRound(_ logDir: String) -> Int {
        guard let bytes = try? LocalFileSystem().readFile(logDir + "/status.json", limit: 1 << 16),
            let document = try? JSONParser.strict.parse(bytes)
        else { return 0 }
        return Int(document["round_num"]?.intValue ?? 0)
    }

    /// Descriptors, threads and children are the least of 8 looks 5 ms apart: a round boundary
    /// holds a pipe or a git child for a few milliseconds; a leak holds them for good.
    static func sample(pid: Int32, round: Int, logDir: String) -> Sample {
        let rss = Bench.rssKiB(pid) ?? 0
        var descriptors = Int.max
        var threads = Int.max
        var children = Int.max
        for _ in 0..<8 {
            descriptors = min(descriptors, ProcessStat.openDescriptors(pid))
            threads = min(threads, Bench.statusField("Threads:", pid: pid) ?? 0)
            children = min(children, ProcessFamily.descendants(of: [pid], in: ProcessStat.snapshot()).count)
            usleep(5_000)
        }
        let logs = DiskUse.roundLogs(logDir)
        return Sample(
            round: round, rssKiB: rss, descriptors: descriptors, threads: threads,
            children: children, roundLogs: logs.count,
            roundLogBytes: logs.bytes, largestRoundLog: logs.largest, logDirBytes: DiskUse.blocks(logDir),
            monthlyLogBytes: LocalFileSystem().directoryNames(logDir).filter {
                ($0.hasPrefix("events-") || $0.hasPrefix("metrics-")) && $0.hasSuffix(".jsonl")
            }.map { DiskUse.blocks(logDir + "/" + $0) }.reduce(0, +))
    }

    /// Median overhead of the rounds in each window of `every` rounds, keyed by the window's
    /// last round (the round its sample was taken after).
    static func overheads(logDir: String, every: Int, delay: Double) -> [Int: Double] {
        let kinds: Set<String> = ["round_substrate_before", "agent_exit"]
        guard let events = try? EventLogReader(directory: logDir).lastEvents(10_000_000, kinds: kinds) else {
            return [:]
        }
        var befores: [Int: String] = [:]
        var agent: [Int: Double] = [:]
        for event in events {
            guard let round = event.payload["round_num"]?.intValue.map(Int.init) else { continue }
            if event.kind == "round_substrate_before" { befores[round] = event.ts }
            if event.kind == "agent_exit", let seconds = event.payload["duration_s"]?.doubleValue {
                agent[round] = seconds
            }
        }
        var windows: [Int: [Double]] = [:]
        for (round, start) in befores {
            guard let end = befores[round + 1], let wall = Bench.interval(start, end), let own = agent[round] else {
                continue
            }
            windows[((round - 1) / every + 1) * every, default: []].append(wall - own - delay)
        }
        return windows.mapValues { Statistics(values: $0).median }
    }
}

/// Disk used under a folder, as `du` counts it, and the round logs' count and bytes.
enum DiskUse {
    /// Allocated bytes (st_blocks × 512) of every file under `path`, recursively.
    static func blocks(_ path: String) -> Int {
        var info = stat()
        guard lstat(path, &info) == 0 else { return 0 }
        var total = Int(info.st_blocks) * 512
        if (info.st_mode & S_IFMT) == S_IFDIR {
            for name in LocalFileSystem().directoryNames(path) { total += blocks(path + "/" + name) }
        }
        return total
    }

    /// The round logs of both layouts (`rounds/R<N>-*.log`, `round-<N>.log`): how many, their
    /// bytes, and the largest.
    static func roundLogs(_ logDir: String) -> (count: Int, bytes: Int, largest: Int) {
        var sizes: [Int] = []
        func add(_ path: String) {
            var info = stat()
            if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG { sizes.append(Int(info.st_size)) }
        }
        for name in LocalFileSystem().directoryNames(logDir + "/rounds") where name.hasPrefix("R") {
            add(logDir + "/rounds/" + name)
        }
        for name in LocalFileSystem().directoryNames(logDir)
        where name.hasPrefix("round-") && name.hasSuffix(".log") && name != "round-current.log" {
            add(logDir + "/" + name)
        }
        return (sizes.count, sizes.reduce(0, +), sizes.max() ?? 0)
    }
}
