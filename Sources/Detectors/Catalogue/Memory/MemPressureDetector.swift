/// `mem_pressure` (warning or critical): the host is short of memory, per the ladder
/// (``MemoryPressureLadder``). Message and context are the ladder's (context always names the
/// `signal`); key `mem_pressure`. Silent for samples without any pressure field.
public struct MemPressureDetector: Detector {
    public let name = "mem_pressure"
    public init() {}

    public func detect(_ observation: HostObservation, settings: DetectorSettings) -> [Alert] {
        guard case .pressure(let pressure)? = MemoryPressureLadder.evaluate(observation, thresholds: settings.memory)
        else { return [] }
        return [
            Alert(detector: name, severity: pressure.severity, message: pressure.message, context: pressure.context)
        ]
    }
}
