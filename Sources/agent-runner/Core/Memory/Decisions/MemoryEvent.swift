import FleetCore

/// An event a memory defense asks serve to append: the decisions return typed events (Core/Events)
/// wrapped in this value, so their steps stay `Equatable` values that tests compare, and serve's
/// loop writes them unchanged (`sink.emit(event.typed)`).
public struct MemoryEvent: Sendable, Equatable, CustomStringConvertible {
    /// The event as written.
    public let typed: any TypedEvent

    public init(_ typed: some TypedEvent) {
        self.typed = typed
    }

    public var kind: EventKind { typed.eventKind }
    public var payload: JSONObject { typed.payload }

    /// Two events are the same when they would write the same line.
    public static func == (left: MemoryEvent, right: MemoryEvent) -> Bool {
        left.kind == right.kind && left.payload == right.payload
    }

    public var description: String { "\(kind.rawValue) \(JSONWriter().string(.object(payload)))" }
}

extension EventSink {
    /// Appends an event a memory defense returned.
    @discardableResult
    public func emit(_ event: MemoryEvent) -> Bool {
        emit(event.kind, event.payload)
    }
}
