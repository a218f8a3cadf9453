import FleetCore

/// One round as the rate detectors (timeout_rate, oauth_fail, network_fail) and `hung` see it.
///
/// Our agent-runner ships these in peek's `recent_rounds` (see ``HostObservation/init(peek:pollerNow:)``);
/// for a host that does not (the original Python 0.3.x, whose `recent_rounds` is always `[]`),
/// ``derive(from:logFailures:)`` rebuilds them from the event tail.
public struct RoundSummary: Sendable, Equatable {
    /// The round number (≥ 1).
    public var roundNum: Int
    /// The phase named by the round's `round_start`; nil without phases.
    public var phase: String?
    /// `round_start`'s timestamp; nil when the start is unknown (outside the event tail).
    public var startedAt: String?
    /// `round_end`'s timestamp; nil while the round is open (running, or killed before its end).
    public var endedAt: String?
    /// The agent's raw exit code (negative for a signal); nil until the agent exited.
    public var exitCode: Int?
    /// The agent's wall time, seconds.
    public var durationS: Double?
    /// True for hard-wall timeouts and for grace kills (see ``exitCause``).
    public var timedOut: Bool?
    /// `grace_kill`, `timeout`, `signal:<NAME>`, `clean` or `error`.
    public var exitCause: String?
    /// The host classified the round as an authentication failure: its transcript matched an
    /// `auth_fail_patterns` regex, or the agent reported one (`agent_auth_error_detected`).
    public var authFailure: Bool
    /// The host classified the round as a network failure: its transcript matched the network
    /// patterns (the condition of `agent_network_blip`).
    public var networkFailure: Bool

    public init(
        roundNum: Int, phase: String? = nil, startedAt: String? = nil, endedAt: String? = nil, exitCode: Int? = nil,
        durationS: Double? = nil, timedOut: Bool? = nil, exitCause: String? = nil, authFailure: Bool = false,
        networkFailure: Bool = false
    ) {
        self.roundNum = roundNum
        self.phase = phase
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.exitCode = exitCode
        self.durationS = durationS
        self.timedOut = timedOut
        self.exitCause = exitCause
        self.authFailure = authFailure
        self.networkFailure = networkFailure
    }

    /// Whether the agent's exit is known: such rounds are the "exits" the rate detectors count.
    public var hasExited: Bool { exitCode != nil }

    /// A timeout that counts against timeout_rate: a hard-wall kill, not a grace kill (a grace
    /// kill ends a round that already finished its work; 0.2.x wrongly counted those).
    public var isTimeout: Bool { timedOut == true && exitCause != "grace_kill" }

    /// A short failed exit: non-zero, not timed out, and shorter than `shortExitS` seconds. The
    /// auth and network text patterns only count for such rounds, as in the original.
    public func isShortFailure(shortExitS: Double) -> Bool {
        guard let exitCode, let durationS else { return false }
        return exitCode != 0 && timedOut != true && durationS < shortExitS
    }

    /// Classifications a host made from round transcripts, for ``derive(from:logFailures:)``.
    public struct LogFailures: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        public static let auth = LogFailures(rawValue: 1)
        public static let network = LogFailures(rawValue: 2)
    }

    /// Rebuilds round summaries from a chronological event tail, oldest round first.
    ///
    /// `round_start` opens a round (a repeated number opens a new one: the log was reset),
    /// `agent_exit` fills the exit fields, `round_end` closes it, `agent_auth_error_detected`
    /// marks an auth failure and `agent_network_blip` a network failure. Events for a round whose
    /// start fell outside the tail still produce a summary (with ``startedAt`` nil). Events with
    /// an invalid `round_num` are ignored; hostile field values read as absent.
    ///
    /// - Parameter logFailures: classifications of round transcripts the caller made itself
    ///   (by round number), e.g. by matching `rounds/R<N>-*.log` tails against the auth
    ///   patterns; the events alone cannot tell that a claude round failed on a bad API key.
    public static func derive(from events: [Event], logFailures: [Int: LogFailures] = [:]) -> [RoundSummary] {
        var rounds: [RoundSummary] = []
        var latest: [Int: Int] = [:]

        func index(of round: Int) -> Int {
            if let position = latest[round] { return position }
            rounds.append(RoundSummary(roundNum: round))
            latest[round] = rounds.count - 1
            return rounds.count - 1
        }

        for event in events {
            switch event.kind {
            case "round_start", "agent_exit", "round_end", "agent_auth_error_detected", "agent_network_blip":
                break
            default:
                continue
            }
            guard let round = HostValue.roundNumber(event.payload["round_num"]) else { continue }
            switch event.kind {
            case "round_start":
                var summary = RoundSummary(roundNum: round, startedAt: event.ts)
                summary.phase = HostValue.string(event.payload["phase"]).map(HostText.clip)
                rounds.append(summary)
                latest[round] = rounds.count - 1
            case "agent_exit":
                let position = index(of: round)
                rounds[position].exitCode = HostValue.int(event.payload["exit_code"], in: -1_000_000...1_000_000)
                rounds[position].durationS = HostValue.seconds(event.payload["duration_s"])
                rounds[position].timedOut = HostValue.bool(event.payload["timed_out"])
                rounds[position].exitCause = HostValue.string(event.payload["exit_cause"]).map(HostText.clip)
            case "round_end":
                rounds[index(of: round)].endedAt = event.ts
            case "agent_auth_error_detected":
                rounds[index(of: round)].authFailure = true
            default:
                rounds[index(of: round)].networkFailure = true
            }
        }
        if !logFailures.isEmpty {
            for position in rounds.indices {
                guard let flags = logFailures[rounds[position].roundNum] else { continue }
                if flags.contains(.auth) { rounds[position].authFailure = true }
                if flags.contains(.network) { rounds[position].networkFailure = true }
            }
        }
        return rounds
    }

    /// Reads one entry of our peek's `recent_rounds`, or nil when `round_num` is not a valid round number.
    init?(json: JSONObject) {
        guard let round = HostValue.roundNumber(json["round_num"]) else { return nil }
        self.init(
            roundNum: round,
            phase: HostValue.string(json["phase"]).map(HostText.clip),
            startedAt: HostValue.string(json["started_at"]),
            endedAt: HostValue.string(json["ended_at"]),
            exitCode: HostValue.int(json["exit_code"], in: -1_000_000...1_000_000),
            durationS: HostValue.seconds(json["duration_s"]),
            timedOut: HostValue.bool(json["timed_out"]),
            exitCause: HostValue.string(json["exit_cause"]).map(HostText.clip),
            authFailure: HostValue.bool(json["auth_failure"]) ?? false,
            networkFailure: HostValue.bool(json["network_failure"]) ?? false
        )
    }
}
