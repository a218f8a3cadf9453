import FleetCore

/// The kinds of an observation's events that the detectors read, classified once when the
/// observation is built.
///
/// Why: every detector used to scan every event and compare kind strings (14 detectors × the
/// event tail × every host, every poll). With one byte per event and a set of the kinds
/// present, a detector whose kind is absent (most hosts have no auth error, orphan or anomaly
/// event) answers at once, and the others visit only their own events.
struct EventIndex: Sendable {
    /// An event kind some detector reads; everything else is ``other``.
    enum Kind: UInt8, Sendable {
        case other
        case roundEnd
        case agentSpawn
        case agentAuthErrorDetected
        case orphanStashed
        case anomalyRepetitiveTool
        case transientErrorDetected
        case transientErrorRecovered
        case agentUsageRecorded
        case schedulePaused
        case roundDeferred
        case scheduleResumed
        case roundResumed
        /// `monitor_*` and `detector_error`: written by a monitor, not by the supervisor, so
        /// they must not count as its activity (supervisor_stale).
        case monitorOwn

        /// The kind of `name`, compared by length first so that most names cost one integer
        /// comparison and at most one string comparison.
        init(_ name: String) {
            let utf8 = name.utf8
            let named: Kind? =
                switch utf8.count {
                case 9: name == "round_end" ? .roundEnd : nil
                case 11: name == "agent_spawn" ? .agentSpawn : nil
                case 13: name == "round_resumed" ? .roundResumed : nil
                case 14:
                    name == "orphan_stashed"
                        ? .orphanStashed
                        : name == "round_deferred"
                            ? .roundDeferred
                            : name == "detector_error" ? .monitorOwn : nil
                case 15: name == "schedule_paused" ? .schedulePaused : nil
                case 16: name == "schedule_resumed" ? .scheduleResumed : nil
                case 20: name == "agent_usage_recorded" ? .agentUsageRecorded : nil
                case 23: name == "anomaly_repetitive_tool" ? .anomalyRepetitiveTool : nil
                case 24: name == "transient_error_detected" ? .transientErrorDetected : nil
                case 25:
                    name == "agent_auth_error_detected"
                        ? .agentAuthErrorDetected
                        : name == "transient_error_recovered" ? .transientErrorRecovered : nil
                default: nil
                }
            self = named ?? (utf8.starts(with: "monitor_".utf8) ? .monitorOwn : .other)
        }

        var bit: UInt32 { 1 << UInt32(rawValue) }
    }

    /// One ``Kind`` per event, in event order.
    let kinds: [Kind]
    /// The union of ``Kind/bit`` over every event.
    private let present: UInt32

    init(_ events: [Event]) {
        var kinds: [Kind] = []
        kinds.reserveCapacity(events.count)
        var present: UInt32 = 0
        for index in events.indices {
            let kind = Kind(events[index].kind)
            kinds.append(kind)
            present |= kind.bit
        }
        self.kinds = kinds
        self.present = present
    }

    /// Whether any event is of `kind`.
    func contains(_ kind: Kind) -> Bool { present & kind.bit != 0 }

    /// Whether any event is of one of `kinds`.
    func containsAny(_ kinds: Kind...) -> Bool { kinds.contains { contains($0) } }

    /// The positions of the events of `kind`, oldest first.
    func positions(of kind: Kind) -> [Int] {
        guard contains(kind) else { return [] }
        return kinds.indices.filter { kinds[$0] == kind }
    }
}
