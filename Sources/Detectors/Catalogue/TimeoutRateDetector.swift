import FleetCore

/// `timeout_rate` (warning): too many of the last `window` rounds hit the hard wall.
///
/// Grace kills are not counted (they end rounds that already delivered; 0.2.x counted them), and
/// the window must be full. Message `"3/10 recent rounds timed out (>20%)"`, context
/// `{rate, threshold, window}`, identity key `timeout_rate`.
public struct TimeoutRateDetector: Detector {
    public let name = "timeout_rate"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        guard let window = RecentExitWindow(observation, policy: settings.policy) else { return [] }
        let timeouts = window.count(where: \.isTimeout)
        guard timeouts > 0, window.reaches(timeouts) else { return [] }
        return [
            Alert(
                detector: name, severity: .warning,
                message:
                    "\(timeouts)/\(window.size) recent rounds timed out (>\(PythonFormat.percent(window.threshold))%)",
                context: [
                    "rate": .double(Double(timeouts) / Double(window.size)),
                    "threshold": .double(window.threshold),
                    "window": .int(Int64(window.size)),
                ]
            )
        ]
    }
}
