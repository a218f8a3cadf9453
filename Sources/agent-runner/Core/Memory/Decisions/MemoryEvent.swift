import FleetCore

/// An event a memory defense asks serve to append: the decisions return these as values and
/// serve's loop passes them to its ``EventSink`` unchanged (`sink.emit(event.kind, event.payload)`).
public struct MemoryEvent: Sendable, Equatable, CustomStringConvertible {
    public var kind: EventKind
    public var payload: JSONObject

    public init(_ kind: EventKind, _ payload: JSONObject) {
        self.kind = kind
        self.payload = payload
    }

    public var description: String { "\(kind.rawValue) \(JSONWriter().string(.object(payload)))" }
}
