import FleetCore

/// `network_fail` (warning): rounds keep dying early on network errors (DNS, refused or reset
/// connections, 502/503/504), which points at the host's network or the provider, not the agent.
///
/// A round of the last `window` exits matches when the host classified its transcript as a
/// network failure and it was a short failed exit. Message
/// `"4/10 recent rounds short-exited with network error pattern"`, context
/// `{matches, window, threshold, hint}`, key `network_fail`. On an original 0.3.x host the host's
/// own monitor's `network_fail` record also counts while no round has succeeded since
/// (``HostMonitorReport``), as for oauth_fail.
public struct NetworkFailDetector: Detector {
    public let name = "network_fail"
    public static let hint = "Check upstream Anthropic status or local DNS / VPN"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        if let window = RecentExitWindow(observation, policy: settings.policy) {
            let shortExitS = settings.policy.shortExitS
            let matches = window.count { $0.networkFailure && $0.isShortFailure(shortExitS: shortExitS) }
            if matches > 0, window.reaches(matches) {
                var context = window.matchContext(matches)
                context["hint"] = .string(Self.hint)
                return [
                    Alert(
                        detector: name, severity: .warning,
                        message: "\(matches)/\(window.size) recent rounds short-exited with network error pattern",
                        context: context
                    )
                ]
            }
        }
        guard let report = HostMonitorReport.current(observation, detector: name) else { return [] }
        var context = report.context
        context["hint"] = .string(Self.hint)
        return [
            Alert(
                detector: name, severity: .warning,
                message: "\(report.message) (reported by the host's monitor at \(report.ts))", context: context)
        ]
    }
}
