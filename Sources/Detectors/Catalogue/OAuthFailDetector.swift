import FleetCore

/// `oauth_fail` (critical, asks for a stop): the agent keeps failing to authenticate, so every
/// further round burns a restart for nothing until someone logs in again.
///
/// A round of the last `window` exits matches when the agent reported an auth error for it
/// (an `agent_auth_error_detected` event in the tail, whatever the exit), or when the host
/// classified its transcript as an auth failure **and** it was a short failed exit (non-zero,
/// not timed out, under `short_exit_s`): a long round that merely mentions "401" is not one.
/// Message `"10/10 recent rounds failed auth (agent-reported or short-exit pattern)"`, context
/// `{matches, window, threshold, hint}` with the host's `auth_fail_hint`, key `oauth_fail`.
///
/// After a (re)start of serve (`serve_started`) that was followed by a round exiting 0 without
/// an auth failure, the rounds before that start no longer count: the operator logged in and
/// started the service, and the first good round proves it worked. The alert then resolves at
/// once instead of lingering until the failures leave the window (~10 rounds, during which
/// `fleetctl status` kept exiting 1). Without a start in between, a good round does not clear
/// the failures (the credentials may fail intermittently).
///
/// On an original 0.3.x host that is not enough yet, the host's own monitor's `oauth_fail`
/// record counts while no round has succeeded since (``HostMonitorReport``): message
/// `"<its message> (reported by the host's monitor at <ts>)"`, context `{reported_by, reported_at, hint}`.
public struct OAuthFailDetector: Detector {
    public let name = "oauth_fail"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        if let alert = windowAlert(observation, settings: settings) { return [alert] }
        guard let report = HostMonitorReport.current(observation, detector: name) else { return [] }
        var context = report.context
        context["hint"] = .string(observation.config.authFailHint ?? "")
        return [
            Alert(
                detector: name, severity: .critical,
                message: "\(report.message) (reported by the host's monitor at \(report.ts))", context: context,
                requestsStop: true
            )
        ]
    }

    private func windowAlert(_ observation: HostObservation, settings: DetectorSettings) -> Alert? {
        guard let window = RecentExitWindow(observation, policy: settings.policy) else { return nil }
        var reported = Set<Int>()
        for position in observation.eventIndex.positions(of: .agentAuthErrorDetected) {
            if let round = HostValue.roundNumber(observation.events[position].payload["round_num"]) {
                reported.insert(round)
            }
        }
        let shortExitS = settings.policy.shortExitS
        let failed = { (round: RoundSummary) in
            reported.contains(round.roundNum) || (round.authFailure && round.isShortFailure(shortExitS: shortExitS))
        }
        var matches = window.count(where: failed)
        if matches > 0, window.reaches(matches), let start = Self.provenStart(observation, failed: failed) {
            matches = window.count { round in
                failed(round) && (round.startedAt.flatMap(EventTimestamp.parse).map { $0 >= start } ?? true)
            }
        }
        guard matches > 0, window.reaches(matches) else { return nil }
        var context = window.matchContext(matches)
        context["hint"] = .string(observation.config.authFailHint ?? "")
        return Alert(
            detector: name, severity: .critical,
            message: "\(matches)/\(window.size) recent rounds failed auth (agent-reported or short-exit pattern)",
            context: context, requestsStop: true
        )
    }

    /// The newest `serve_started` after which a round began and exited 0 without an auth failure.
    static func provenStart(_ observation: HostObservation, failed: (RoundSummary) -> Bool) -> UTCInstant? {
        guard
            let event = observation.events.last(where: { $0.kind == EventKind.serveStarted.rawValue }),
            let start = EventTimestamp.parse(event.ts)
        else { return nil }
        let proven = observation.rounds.contains { round in
            round.exitCode == 0 && !failed(round)
                && (round.startedAt.flatMap(EventTimestamp.parse).map { $0 >= start } ?? false)
        }
        return proven ? start : nil
    }
}
