import Detectors
import FleetCore
import SSHTransport

/// The one extra call a poll of an original 0.3.x host may make after its peek, and how to read
/// its answer. Pure: a plan from the observation and what the poller remembers, argv as data.
///
/// Why: the original's peek reports no version and no round verdicts (`recent_rounds` is always
/// `[]`; a claude 401 round leaves only `agent_exit` in its events, the 401 text is in
/// `rounds/R<N>-*.log`). So fleetctl asks `agent-runner --version` once per connection, and
/// `peek --json --round N --log` for one round per poll, only when the newest round was a short
/// failure: a healthy original host costs no call beyond its peek.
public struct OriginalFollowUp: Sendable, Equatable {
    /// Ask `agent-runner --version` (not asked yet on this connection).
    public var askVersion: Bool
    /// The round whose transcript to read, with its start (the verdict's key).
    public var round: Int?
    public var roundStartedAt: String?

    public init(askVersion: Bool, round: Int? = nil, roundStartedAt: String? = nil) {
        self.askVersion = askVersion
        self.round = round
        self.roundStartedAt = roundStartedAt
    }

    public var isEmpty: Bool { !askVersion && round == nil }

    /// The follow-up for `observation`, or nil for a host that is not the original or needs nothing.
    ///
    /// Transcript: only when the newest exited round is a short failure; then the newest short
    /// failure among the last `window` exits that the events leave unexplained (no auth or
    /// network mark) and that has no verdict yet. One per poll, newest first, so successive polls
    /// work back through a window whose rounds came faster than the polls.
    public static func plan(
        _ observation: HostObservation, versionAsked: Bool, verdicts: [RoundLogVerdict],
        policy: DetectorPolicy
    ) -> OriginalFollowUp? {
        guard observation.producer.isOriginal else { return nil }
        var followUp = OriginalFollowUp(askVersion: !versionAsked)
        let exited = observation.rounds.filter(\.hasExited).suffix(max(1, min(policy.window, 1000)))
        if let newest = exited.last, newest.isShortFailure(shortExitS: policy.shortExitS) {
            let unread = exited.reversed().first { round in
                round.isShortFailure(shortExitS: policy.shortExitS) && !round.authFailure && !round.networkFailure
                    && !verdicts.contains { $0.roundNum == round.roundNum && $0.startedAt == round.startedAt }
            }
            followUp.round = unread?.roundNum
            followUp.roundStartedAt = unread?.startedAt
        }
        return followUp.isEmpty ? nil : followUp
    }

    /// The argv of the one call. Version and transcript together run as one `sh -c`, so a
    /// poll never costs more than one extra ssh call: the version line first, then the document.
    public func command(_ settings: PollSettings) -> [String] {
        let peek = round.map { ["peek", "--json", "--round", String($0), "--log"] } ?? []
        guard askVersion else { return AgentRunnerCommand.verb(peek, settings) }
        guard !peek.isEmpty else { return [AgentRunnerCommand.remotePath(settings.agentRunner), "--version"] }
        let rest = Array(AgentRunnerCommand.verb(peek, settings).dropFirst())
        let executable = AgentRunnerCommand.remotePath(settings.agentRunner)
        return ["sh", "-c", #""$0" --version && exec "$0" "$@""#, executable] + rest
    }

    /// What the call answered.
    public struct Answer: Sendable, Equatable {
        /// `0.3.14` from `agent-runner 0.3.14`; nil when not asked or unreadable.
        public var version: String?
        /// The transcript's verdict; nil when not asked or the round had no log.
        public var verdict: RoundLogVerdict?
    }

    /// Reads the call's stdout: `agent-runner X.Y.Z` on the first line when the version was
    /// asked, then (when a round was asked) the peek document whose `current_round.log_tail` is
    /// the transcript's last lines. A document without that round's log (pruned, never written)
    /// is an empty verdict, so the round is not fetched again.
    public func read(_ stdout: [UInt8]) -> Answer {
        var answer = Answer()
        var rest = stdout[...]
        if askVersion {
            let newline = rest.firstIndex(of: UInt8(ascii: "\n")) ?? rest.endIndex
            let words = String(decoding: rest[..<newline], as: UTF8.self).split(separator: " ")
            if words.count == 2, words[0] == "agent-runner", words[1].first?.isNumber == true {
                answer.version = String(words[1])
            }
            rest = newline < rest.endIndex ? rest[(newline + 1)...] : rest[rest.endIndex...]
        }
        guard let round,
            case .object(let document)? = try? JSONParser(
                limits: RemoteJSONResult.defaultLimits, invalidUTF8: .replace
            ).parse(Array(rest))
        else { return answer }
        let view = document["current_round"]?.objectValue
        let tail = view?["round_num"]?.intValue == Int64(round) ? view?["log_tail"]?.stringValue ?? "" : ""
        answer.verdict = RoundLogVerdict(
            roundNum: round, startedAt: roundStartedAt,
            failures: RoundLogVerdict.classify(tail))
        return answer
    }
}
