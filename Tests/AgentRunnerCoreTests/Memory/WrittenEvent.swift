import FleetCore

@testable import AgentRunnerCore

/// An event as the log gets it, its kind and payload: what the memory decisions' typed events
/// are compared with, so the tests pin the wire format (keys, order, JSON types) as well.
struct WrittenEvent: Equatable, CustomStringConvertible {
    var kind: EventKind
    var payload: JSONObject

    init(_ kind: EventKind, _ payload: JSONObject) {
        self.kind = kind
        self.payload = payload
    }

    var description: String { "\(kind.rawValue) \(JSONWriter().string(.object(payload)))" }
}

extension MemoryEvent {
    var written: WrittenEvent { WrittenEvent(kind, payload) }
}

extension Array where Element == MemoryEvent {
    var written: [WrittenEvent] { map(\.written) }
}
