import FleetCore

/// `mem_pressure_gate_inert` (warning): PSI or swap-out shows pressure while `mem_available_mb`
/// still looks comfortable, so a gate that only watches available memory (the 0.2.x check)
/// would not hold rounds back. Context `{avail_min_mb, mem_available_mb, hint}`, key
/// `mem_pressure_gate_inert`.
public struct MemPressureGateInertDetector: Detector {
    public let name = "mem_pressure_gate_inert"
    public static let hint =
        "mem_available_mb looks fine but the host is stalling or swapping; lower the agent's memory use or add RAM/swap, and rely on host_health.pressure (PSI) thresholds"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        let thresholds = settings.memory
        guard case .pressure(let pressure)? = MemoryPressureLadder.evaluate(observation, thresholds: thresholds),
            pressure.signal == .psi || pressure.signal == .swapOutRate,
            let available = observation.latestSample?.memAvailableMB, available >= thresholds.availMinMB
        else { return [] }
        return [
            Alert(
                detector: name, severity: .warning,
                message:
                    "memory pressure via \(pressure.signal.rawValue) while mem_available_mb \(PythonFormat.count(available)) >= \(PythonFormat.count(thresholds.availMinMB))",
                context: [
                    "avail_min_mb": PythonFormat.countJSON(thresholds.availMinMB),
                    "mem_available_mb": PythonFormat.countJSON(available), "hint": .string(Self.hint),
                ]
            )
        ]
    }
}
