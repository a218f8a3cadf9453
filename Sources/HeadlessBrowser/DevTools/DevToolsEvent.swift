import FleetCore

/// A DevTools message without an id: something that happened in the browser or a page.
struct DevToolsEvent: Sendable {
    /// Position in arrival order across all sessions, so a wait can ask for events that came
    /// after a command was sent.
    var sequence: Int
    var method: String
    /// The page session it belongs to; nil for browser-level events.
    var sessionID: String?
    var params: JSONValue
}
