import FleetCore

/// `mem_signal_unavailable` (warning): the host reports memory fields but none of the ladder's
/// tiers can be evaluated, so memory pressure on it would go unnoticed. Context
/// `{mem_available_mb}`, key `mem_signal_unavailable`.
public struct MemSignalUnavailableDetector: Detector {
    public let name = "mem_signal_unavailable"
    public static let message = "no usable memory-pressure signal (no PSI, no swap-out delta, no free/available memory)"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        guard case .unavailable? = MemoryPressureLadder.evaluate(observation, thresholds: settings.memory) else {
            return []
        }
        let available = observation.latestSample?.memAvailableMB
        return [
            Alert(
                detector: name, severity: .warning, message: Self.message,
                context: ["mem_available_mb": available.map(PythonFormat.countJSON) ?? .null]
            )
        ]
    }
}
