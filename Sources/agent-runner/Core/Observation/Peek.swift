import Detectors
import FleetCore

/// What `peek` was asked for.
public struct PeekOptions: Sendable, Equatable {
    public enum RoundSelector: Sendable, Equatable {
        case number(Int)
        /// The highest round with a log.
        case latest
    }

    /// `--events N`: the newest N events in `recent_events`.
    public var events: Int
    /// `--round N|latest`: fill `current_round`.
    public var round: RoundSelector?
    /// `--log`: include the round's last 50 log lines in `current_round.log_tail`.
    public var log: Bool

    public init(events: Int = 0, round: RoundSelector? = nil, log: Bool = false) {
        self.events = events
        self.round = round
        self.log = log
    }
}

/// A peek that cannot answer: the round asked for does not exist.
public struct PeekError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The result of a peek: the document and the facts it was built from.
public struct Peek: Sendable {
    /// The `peek --json` document.
    public var document: JSONValue
    public var tail: EventTail
    /// Bytes read from the event and metrics logs (bounded whatever their size).
    public var logBytesRead: Int
}

/// Builds the `peek --json` document (peek-schema.md, schema "2.6") plus the fields of the
/// Detectors peek contract (`HostObservation.init(peek:pollerNow:)`): `generated_at`,
/// `agent_runner_version`, a filled `recent_rounds`, `config`, a `system` with `ts` and the
/// memory-pressure fields, and `system_history`.
///
/// Cost is O(tail): the event log is read through ``EventTail`` (a bounded backward pass), the
/// metrics log through at most ``metricsLines`` lines, round logs through their last 64 KiB.
public struct PeekBuilder: Sendable {
    public static let schemaVersion = "2.6"
    /// Metrics lines looked at: the latest sample and its history within the window.
    public static let metricsLines = 256
    /// The disk-growth window `system_history` covers (detectors.md §3).
    public static let historyWindowS: Int64 = 1800
    /// Lines of a round log in `log_tail`.
    public static let logTailLines = 50

    public let config: AgentRunnerConfig
    public let clock: any WallClock
    public let service: ServiceProbe

    public init(config: AgentRunnerConfig, clock: any WallClock, service: ServiceProbe) {
        self.config = config
        self.clock = clock
        self.service = service
    }

    var logDir: String { config.runtime.logDir }

    public func build(_ options: PeekOptions) throws(PeekError) -> Peek {
        let now = clock.now()
        let focus = try focusRound(options.round)
        let tail: EventTail
        do {
            tail = try EventTail.read(logDir: logDir, recentEvents: options.events, focusRound: focus, now: now.seconds)
        } catch {
            // An unreadable log reads as an empty one: peek must still say what it can.
            tail = EventTail()
        }
        let metrics = MetricsTail.read(logDir: logDir, lines: Self.metricsLines)
        var status = service.status()
        status.rateLimit = tail.rateLimit

        var document = JSONObject()
        document["schema_version"] = .string(Self.schemaVersion)
        document["plugins"] = plugins
        document["project"] = .string(config.project)
        document["status"] = Self.readObject(logDir + "/status.json") ?? .object([:])
        let brake = MemoryHighBrake.Status.current(config: config)
        document["defenses"] = .array(DefenseCatalogue.entries(for: config, brake: brake).map(\.json))
        document["current_round"] = focus.map { roundView($0, tail: tail, log: options.log, now: now) } ?? .null
        document["recent_rounds"] = .array(recentRounds(tail).map(Self.json))
        document["orphan"] = Self.readObject(OrphanState.path(logDir: logDir)) ?? .null
        document["system"] = metrics.latest.map { .object(Self.system($0)) } ?? Self.emptySystem
        document["service"] = status.json
        document["recent_events"] = .array(tail.recentEvents.map(Self.raw))
        document["recent_hook_failures"] = .array(tail.hookFailures.map(Self.raw))
        document["recent_blips"] = .array(tail.blips.map(Self.raw))
        document["recent_cgroup_growth_warnings"] = .array(tail.cgroupGrowthWarnings.map(Self.raw))
        document["schedule"] = schedule(tail.newestSchedule)
        document["brake"] = .string(brake.rawValue)
        document["generated_at"] = .string(EventTimestamp.format(now))
        document["agent_runner_version"] = .string(BuildInfo.version)
        document["config"] = configFacts
        document["system_history"] = .array(metrics.history.map { .object(Self.system($0)) })
        document["upgrade_in_progress"] = upgradeInProgress
        document["schedule_windows"] = ScheduleOutlook.json(config.schedules, at: now)
        document["memory"] = memory(tail)
        // One redactor over the whole document: the log tail, the sentinel's reason and every
        // event field leave the host only redacted, whatever field a secret sits in.
        return Peek(
            document: SecretRedactor.redact(.object(document)), tail: tail,
            logBytesRead: tail.bytesRead + metrics.bytesRead)
    }

    // MARK: Parts

    private var plugins: JSONValue {
        .object(
            JSONObject([
                ("post_round_hooks", .array(config.hooks.postRound.map { .string($0.name) })),
                ("disabled", .array(config.plugins.disable.map { .string($0) })),
                ("cooperative_stop", .object([:])),
                ("resolved_sigterm_grace_s", .int(Int64(config.agent.sigtermGraceS))),
            ]))
    }

    /// The record an `agent-runner upgrade` keeps while it runs and leaves when it is cut short
    /// (``UpgradeRecord``, as its file holds it), `{error}` when the file is unreadable, or null.
    /// A rollout must not take a host with one for "already on the target": its new build was
    /// never confirmed.
    private var upgradeInProgress: JSONValue {
        do {
            return try VersionStore(config: config.upgrade, fileSystem: LocalFileSystem()).readUpgradeRecord()?.json
                ?? .null
        } catch {
            return .object(["error": .string(error.message)])
        }
    }

    private var configFacts: JSONValue {
        var phases = JSONObject()
        for name in config.phases.list {
            if let timeout = config.phases.overrides[name]?.roundTimeoutS { phases[name] = .int(Int64(timeout)) }
        }
        return .object(
            JSONObject([
                ("round_timeout_s", .int(Int64(config.runtime.roundTimeoutS))),
                ("phase_round_timeouts", .object(phases)),
                (
                    "supervisor_stale_threshold_s",
                    config.monitor.supervisorStaleThresholdS.map { .int(Int64($0)) } ?? .null
                ),
                ("auth_fail_hint", .string(config.monitor.authFailHint)),
                ("agent_name", config.agent.name.map { .string($0) } ?? .null),
            ]))
    }

    /// `{paused, resume_at, active_window, phase, timezone}` while the newest schedule event is a
    /// pause (the spec's four keys, plus the zone `resume_at` is read in).
    private func schedule(_ event: Event?) -> JSONValue {
        guard let event, event.kind == "schedule_paused" else { return .null }
        return .object(
            JSONObject([
                ("paused", true), ("resume_at", .string(event.payload["resume_at"]?.stringValue ?? "")),
                ("active_window", .string(event.payload["active_window"]?.stringValue ?? "")),
                ("phase", .string(event.payload["phase"]?.stringValue ?? "")),
                ("timezone", .string(event.payload["timezone"]?.stringValue ?? "")),
            ]))
    }

    /// The memory defenses' recent doing: `deferred` (`{since, severity, signal, message}` while
    /// the pre-round gate holds a round back, else null) and `recent_losses` (the last rounds
    /// lost to memory, raw events).
    private func memory(_ tail: EventTail) -> JSONValue {
        var deferred: JSONValue = .null
        if let gate = tail.newestMemoryGate, gate.kind == "round_deferred" {
            deferred = .object(
                JSONObject([
                    ("since", .string(gate.ts)), ("severity", gate.payload["severity"] ?? .null),
                    ("signal", gate.payload["signal"] ?? .null), ("message", gate.payload["message"] ?? .null),
                ]))
        }
        return .object(
            JSONObject([("deferred", deferred), ("recent_losses", .array(tail.memoryLosses.map(Self.raw)))]))
    }

    /// The round `--round` names, checked against the round logs (either layout, ``RoundLogs``).
    private func focusRound(_ selector: PeekOptions.RoundSelector?) throws(PeekError) -> Int? {
        guard let selector else { return nil }
        let logs = RoundLogs(logDir: logDir)
        switch selector {
        case .latest:
            let highest = logs.highestRound()
            guard highest > 0 else {
                throw PeekError("no round has run yet: no rounds/R<N>-*.log (or round-<N>.log) under \(logDir)/")
            }
            return highest
        case .number(let number):
            guard logs.transcript(forRound: number) != nil else {
                let highest = logs.highestRound()
                throw PeekError(
                    "round \(number) not found under \(logDir)/rounds/ "
                        + "(no R\(number)-*.log there, no round-\(number).log); "
                        + (highest > 0 ? "the newest round is \(highest): try --round latest" : "no round has run yet"))
            }
            return number
        }
    }

    /// RoundView (peek-schema.md §1.2). Unlike the original, a round still running shows its
    /// live duration and the agent's pid.
    private func roundView(_ round: Int, tail: EventTail, log: Bool, now: UTCInstant) -> JSONValue {
        let path = RoundLogs(logDir: logDir).transcript(forRound: round) ?? ""
        let start = tail.focusEvents.first { $0.kind == "round_start" }
        let exit = tail.focusEvents.last { $0.kind == "agent_exit" }
        let ended = tail.focusEvents.contains { $0.kind == "round_end" }
        var duration: JSONValue = exit?.payload["duration_s"] ?? .null
        var pid: JSONValue = .null
        if exit == nil, !ended, let started = start?.instant,
            let agent = (try? PidFile(path: logDir + "/agent.pid").runningPID()) ?? nil
        {
            pid = .int(Int64(agent))
            duration = .double(
                Double(now.seconds - started.seconds) + Double(Int64(now.nanoseconds) - Int64(started.nanoseconds))
                    / 1e9)
        }
        return .object(
            JSONObject([
                ("round_num", .int(Int64(round))), ("phase", start?.payload["phase"] ?? .null),
                ("started_at", .string(start?.ts ?? "")), ("duration_so_far_s", duration), ("pid", pid),
                ("exit_code", exit?.payload["exit_code"] ?? .null), ("timed_out", exit?.payload["timed_out"] ?? .null),
                ("log_path", .string(path)),
                ("log_tail", log ? .string(Self.lastLines(of: path, Self.logTailLines)) : .null),
                ("recent_events", .array(tail.focusEvents.map(Self.raw))),
            ]))
    }

    /// The newest rounds from the event tail. Short failed rounds the events do not classify get
    /// their transcript tail matched against `[monitor] auth_fail_patterns` and the network
    /// patterns, so oauth_fail and network_fail see what the original saw in `rounds/R<N>-*.log`.
    func recentRounds(_ tail: EventTail) -> [RoundSummary] {
        var rounds = RoundSummary.derive(from: tail.roundEvents)
        let logs = RoundLogs(logDir: logDir)
        var checked = 0
        for index in rounds.indices.reversed() where rounds[index].hasExited {
            checked += 1
            if checked > 10 { break }
            let round = rounds[index]
            guard round.isShortFailure(shortExitS: 60), !(round.authFailure && round.networkFailure) else { continue }
            guard let path = logs.transcript(forRound: round.roundNum) else { continue }
            let text = String(decoding: Directories.tail(of: path, bytes: 16 << 10), as: UTF8.self)
            guard !text.isEmpty else { continue }
            if !round.authFailure,
                config.monitor.authFailPatterns.contains(where: { LogPatterns.firstMatch(of: $0, in: text) != nil })
            {
                rounds[index].authFailure = true
            }
            if !round.networkFailure, LogPatterns.firstMatch(of: LogPatterns.network, in: text) != nil {
                rounds[index].networkFailure = true
            }
        }
        return rounds
    }

    // MARK: JSON shapes

    /// One `recent_rounds` entry of the contract.
    static func json(_ round: RoundSummary) -> JSONValue {
        func string(_ value: String?) -> JSONValue { value.map { .string($0) } ?? .null }
        return .object(
            JSONObject([
                ("round_num", .int(Int64(round.roundNum))), ("phase", string(round.phase)),
                ("started_at", string(round.startedAt)),
                ("ended_at", string(round.endedAt)), ("exit_code", round.exitCode.map { .int(Int64($0)) } ?? .null),
                ("duration_s", round.durationS.map { .double($0) } ?? .null),
                ("timed_out", round.timedOut.map { .bool($0) } ?? .null),
                ("exit_cause", string(round.exitCause)), ("auth_failure", .bool(round.authFailure)),
                ("network_failure", .bool(round.networkFailure)),
            ]))
    }

    /// An event as the raw object it was written as: `ts`, `event`, then the payload.
    static func raw(_ event: Event) -> JSONValue {
        var object = JSONObject([("ts", .string(event.ts)), ("event", .string(event.kind))])
        for (key, value) in event.payload { object[key] = value }
        return .object(object)
    }

    /// The original's `system` before any metrics exist.
    static let emptySystem: JSONValue = .object(
        JSONObject([
            ("mem_total_mb", .int(0)), ("mem_available_mb", .int(0)), ("disk_used_pct", .double(0)),
            ("disk_free_gb", .double(0)),
            ("load_1m", .null), ("cpu_pct", .null), ("agent_process_count", .int(0)),
        ]))

    /// A metrics line as a `system` object: the original's seven keys with their JSON types
    /// first, then `ts` and every other field of the line (the contract's PSI, swap and inode fields).
    static func system(_ line: Event) -> JSONObject {
        let p = line.payload
        func int(_ key: String) -> JSONValue { .int(p[key]?.doubleValue.map { Int64($0.rounded(.towardZero)) } ?? 0) }
        func double(_ key: String) -> JSONValue { .double(p[key]?.doubleValue ?? 0) }
        func optionalDouble(_ key: String) -> JSONValue { p[key]?.doubleValue.map { .double($0) } ?? .null }
        var object = JSONObject([
            ("mem_total_mb", int("mem_total_mb")), ("mem_available_mb", int("mem_available_mb")),
            ("disk_used_pct", double("disk_used_pct")), ("disk_free_gb", double("disk_free_gb")),
            ("load_1m", optionalDouble("load_1m")), ("cpu_pct", optionalDouble("cpu_pct")),
            ("agent_process_count", int("agent_process_count")), ("ts", .string(line.ts)),
        ])
        for (key, value) in p where !object.contains(key) { object[key] = value }
        return object
    }

    /// A small JSON object file (status.json, orphan-state.json), or nil when absent or not an object.
    static func readObject(_ path: String) -> JSONValue? {
        guard let bytes = try? LocalFileSystem().readFile(path, limit: 1 << 20),
            let value = try? JSONParser.lenient.parse(bytes), value.objectValue != nil
        else { return nil }
        return value
    }

    /// The last `count` lines of a file, read from its last 64 KiB.
    public static func lastLines(of path: String, _ count: Int) -> String {
        let text = String(decoding: Directories.tail(of: path, bytes: 64 << 10), as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if lines.last == "" { lines.removeLast() }
        return lines.suffix(count).joined(separator: "\n")
    }
}

/// The end of `metrics-YYYY-MM.jsonl`: the latest sample, the one before it (the memory
/// ladder's previous sample) and the oldest one within the disk-growth window before the latest
/// (disk_growth's baseline). Lines in between are looked at only for their timestamp.
struct MetricsTail {
    /// Oldest first: [baseline?, previous?, latest].
    var samples: [Event] = []
    var bytesRead = 0

    var latest: Event? { samples.last }

    static func read(logDir: String, lines: Int, windowS: Int64 = PeekBuilder.historyWindowS) -> MetricsTail {
        var tail = MetricsTail()
        let reader = EventLogReader(directory: logDir, prefix: EventLogFile.metricsPrefix)
        var latest: Event?
        var previous: Event?
        var baseline: [UInt8]?
        try? reader.scanLines(maxLines: lines) { line in
            guard let current = latest else {
                latest = Event(line: line)
                return true
            }
            guard previous != nil else {
                previous = Event(line: line)
                return true
            }
            guard let latestInstant = current.instant,
                let instant = timestamp(line) ?? Event(line: line)?.instant
            else { return true }
            if latestInstant.seconds - instant.seconds > windowS { return false }
            baseline = line
            return true
        }
        tail.samples = [baseline.flatMap { Event(line: $0) }, previous, latest].compactMap { $0 }
        tail.bytesRead = reader.bytesRead
        return tail
    }

    /// The `ts` of a line written as `{"ts": "…", …}`, without parsing the rest.
    static func timestamp(_ line: [UInt8]) -> UTCInstant? {
        let prefix = Array(#"{"ts": ""#.utf8)
        guard line.count > prefix.count + 20, line.starts(with: prefix),
            let end = line[prefix.count...].firstIndex(of: UInt8(ascii: "\""))
        else { return nil }
        return EventTimestamp.parse(String(decoding: line[prefix.count..<end], as: UTF8.self))
    }

    /// The samples before the latest, oldest first.
    var history: [Event] { Array(samples.dropLast()) }
}
