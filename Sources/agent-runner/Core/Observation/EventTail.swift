import Detectors
import FleetCore

/// What peek, the progress page and the monitor need from the event log, gathered in **one
/// backward pass over a bounded number of lines** at the end of the log.
///
/// The cost is therefore the same for a log of a thousand events and one of a gigabyte: at most
/// ``lineBudget`` lines are visited (more only when more `recent_events` are asked for), and only
/// the lines of interesting kinds are parsed (``Event/kind(inLine:)`` looks at the kind first).
/// Everything older than the budget is out of view; in a healthy log the budget spans hundreds
/// of rounds, far more than the newest rounds, hook failures and throttle state need.
public struct EventTail: Sendable {
    /// Lines visited at most (unless `recentEvents` asks for more).
    public static let defaultLineBudget = 2_048

    /// The newest events of any kind, oldest first (`--events N`).
    public var recentEvents: [Event] = []
    /// round_start, agent_exit, round_end, agent_auth_error_detected and agent_network_blip of
    /// the newest rounds, oldest first: the input of ``RoundSummary/derive(from:logFailures:)``.
    public var roundEvents: [Event] = []
    /// The last ≤ 10 `hook_failed`, oldest first.
    public var hookFailures: [Event] = []
    /// The last ≤ 5 `agent_network_blip`, oldest first.
    public var blips: [Event] = []
    /// The last ≤ 5 `cgroup_growth_rate_warning`, oldest first.
    public var cgroupGrowthWarnings: [Event] = []
    /// The newest `schedule_paused` or `schedule_resumed`.
    public var newestSchedule: Event?
    /// The newest `round_deferred` or `round_resumed` (the pre-round memory gate).
    public var newestMemoryGate: Event?
    /// The last ≤ 5 rounds lost to memory (`round_mem_terminated`, `round_oom_killed`,
    /// `mem_loop`, `mem_loop_persistent`), oldest first.
    public var memoryLosses: [Event] = []
    /// The events of round ``focusRound`` (start, spawn, exit, end), oldest first.
    public var focusEvents: [Event] = []
    /// The throttle in force, by the rules of ``RateLimitState/current(_:now:)``.
    public var rateLimit: RateLimitState?
    /// Lines visited and bytes read, for tests and the benchmark: both stay bounded.
    public var linesScanned = 0
    public var bytesRead = 0

    public init() {}

    /// What the tail does with a line, decided from its kind's bytes (no allocation).
    enum Category: Equatable {
        case other, roundStart, agentSpawn, roundEvent, blip, hookFailed, cgroupGrowth, schedule, transient, usage
        case memoryGate, memoryLoss
    }

    static let categories: [([UInt8], Category)] =
        ([
            ("round_start", .roundStart), ("agent_spawn", .agentSpawn), ("agent_exit", .roundEvent),
            ("round_end", .roundEvent),
            ("agent_auth_error_detected", .roundEvent), ("agent_network_blip", .blip), ("hook_failed", .hookFailed),
            ("cgroup_growth_rate_warning", .cgroupGrowth), ("schedule_paused", .schedule),
            ("schedule_resumed", .schedule),
            ("transient_error_detected", .transient), ("transient_error_recovered", .transient),
            ("agent_usage_recorded", .usage),
            ("round_deferred", .memoryGate), ("round_resumed", .memoryGate), ("round_mem_terminated", .memoryLoss),
            ("round_oom_killed", .memoryLoss), ("mem_loop", .memoryLoss), ("mem_loop_persistent", .memoryLoss),
        ] as [(String, Category)]).map { (Array($0.0.utf8), $0.1) }

    static func category(of line: [UInt8], kind range: Range<Int>) -> Category {
        for (name, category) in categories where name.count == range.count && line[range].elementsEqual(name) {
            return category
        }
        return .other
    }

    static func category(of kind: String) -> Category {
        category(of: Array(kind.utf8), kind: 0..<kind.utf8.count)
    }

    /// Reads the tail of the event log in `logDir`.
    /// - Parameters:
    ///   - recentEvents: how many of the newest events to keep whole.
    ///   - rounds: how many of the newest round starts to cover in ``roundEvents``.
    ///   - focusRound: a round whose own events to collect (`peek --round N`).
    ///   - now: Unix seconds, for the throttle.
    public static func read(
        logDir: String, recentEvents: Int = 0, rounds: Int = 20, focusRound: Int? = nil,
        now: Int64, lineBudget: Int = EventTail.defaultLineBudget
    ) throws -> EventTail {
        var tail = EventTail()
        let reader = EventLogReader(directory: logDir)
        var recent: [Event] = []
        var roundsNewestFirst: [Event] = []
        var startsSeen = 0
        var hooks: [Event] = []
        var blips: [Event] = []
        var growth: [Event] = []
        var losses: [Event] = []
        var focus: [Event] = []
        var focusStarted = false
        /// Transient events parsed, usage events kept raw until needed, newest first.
        var throttleEntries: [ThrottleEntry] = []
        let budget = max(lineBudget, recentEvents + lineBudget / 4)

        try reader.scanLines(maxLines: budget) { line in
            tail.linesScanned += 1
            var parsed: Event?
            let category: Category
            if let range = Event.kindRange(inLine: line) {
                category = Self.category(of: line, kind: range)
            } else {
                parsed = Event(line: line)
                guard let event = parsed else { return true }
                category = Self.category(of: event.kind)
            }
            let wantsRecent = recent.count < recentEvents
            let roundsOpen = startsSeen < rounds
            let wanted: Bool
            switch category {
            case .other: wanted = wantsRecent
            case .roundStart, .roundEvent: wanted = wantsRecent || roundsOpen || (focusRound != nil && !focusStarted)
            case .agentSpawn: wanted = wantsRecent || (focusRound != nil && !focusStarted)
            case .blip: wanted = wantsRecent || roundsOpen || blips.count < 5
            case .hookFailed: wanted = wantsRecent || hooks.count < 10
            case .cgroupGrowth: wanted = wantsRecent || growth.count < 5
            case .schedule: wanted = wantsRecent || tail.newestSchedule == nil
            case .memoryGate: wanted = wantsRecent || tail.newestMemoryGate == nil
            case .memoryLoss: wanted = wantsRecent || losses.count < 5
            case .transient: wanted = true
            case .usage:
                throttleEntries.append(.raw(line))
                wanted = wantsRecent
            }
            if wanted && parsed == nil { parsed = Event(line: line) }
            if let event = parsed {
                if wantsRecent { recent.append(event) }
                switch category {
                case .roundStart, .roundEvent, .blip, .agentSpawn:
                    if roundsOpen && category != .agentSpawn {
                        roundsNewestFirst.append(event)
                        if category == .roundStart { startsSeen += 1 }
                    }
                    if category == .blip && blips.count < 5 { blips.append(event) }
                    if let focusRound, !focusStarted, category != .blip,
                        event.payload["round_num"]?.intValue == Int64(focusRound)
                    {
                        focus.append(event)
                        if category == .roundStart { focusStarted = true }
                    }
                case .hookFailed: if hooks.count < 10 { hooks.append(event) }
                case .cgroupGrowth: if growth.count < 5 { growth.append(event) }
                case .schedule: if tail.newestSchedule == nil { tail.newestSchedule = event }
                case .memoryGate: if tail.newestMemoryGate == nil { tail.newestMemoryGate = event }
                case .memoryLoss: if losses.count < 5 { losses.append(event) }
                case .transient: throttleEntries.append(.parsed(event))
                case .usage, .other: break
                }
            }
            let done =
                recent.count >= recentEvents && startsSeen >= rounds && (focusRound == nil || focusStarted)
                && hooks.count >= 10 && blips.count >= 5 && growth.count >= 5 && tail.newestSchedule != nil
                && tail.newestMemoryGate != nil && losses.count >= 5
            return !done
        }
        tail.bytesRead = reader.bytesRead
        tail.recentEvents = recent.reversed()
        tail.roundEvents = roundsNewestFirst.reversed()
        tail.hookFailures = hooks.reversed()
        tail.blips = blips.reversed()
        tail.cgroupGrowthWarnings = growth.reversed()
        tail.memoryLosses = losses.reversed()
        tail.focusEvents = focus.reversed()
        tail.rateLimit = Self.throttle(throttleEntries, now: now)
        return tail
    }

    enum ThrottleEntry {
        case parsed(Event)
        case raw([UInt8])
    }

    /// Per agent named by a transient event: its ``ThrottleState`` from the entries newer than
    /// its last successful round. Usage lines are parsed only as far as that walk goes.
    static func throttle(_ entries: [ThrottleEntry], now: Int64) -> RateLimitState? {
        var agents: [String] = []
        for case .parsed(let event) in entries {
            if let agent = event.payload["agent"]?.stringValue, !agents.contains(agent) { agents.append(agent) }
        }
        guard !agents.isEmpty else { return nil }
        var cache: [Int: Event] = [:]
        var perAgent: [(agent: String, state: ThrottleState, detectedTs: String)] = []
        for agent in agents {
            var walk: [Event] = []
            for (index, entry) in entries.enumerated() {
                let event: Event
                switch entry {
                case .parsed(let parsed): event = parsed
                case .raw(let line):
                    if let cached = cache[index] {
                        event = cached
                    } else {
                        guard let parsed = Event(line: line) else { continue }
                        cache[index] = parsed
                        event = parsed
                    }
                }
                walk.append(event)
                if event.kind == "agent_usage_recorded", event.payload["agent"]?.stringValue == agent,
                    event.payload["success"]?.boolValue == true
                {
                    break
                }
            }
            guard let state = ThrottleState.derive(newestFirst: walk, agent: agent).active else { continue }
            let detected = walk.first {
                $0.kind == "transient_error_detected" && $0.payload["agent"]?.stringValue == agent
            }
            perAgent.append((agent, state, detected?.ts ?? ""))
        }
        return RateLimitState.current(perAgent, now: now)
    }
}
