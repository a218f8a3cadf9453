import FleetCore
import Synchronization

/// Where a rollout reports its steps: human lines (stderr), JSON Lines (stdout, `--json`), and the
/// fleet event log for the steps that are fleet events (``RolloutStarted``, ...).
public final class RolloutReporter: Sendable {
    /// One step at a time: lines from the worker threads never interleave.
    private let lock = Mutex(())
    private let human: @Sendable (String) -> Void
    private let json: (@Sendable (String) -> Void)?
    private let events: EventLogWriter?

    public init(
        human: @escaping @Sendable (String) -> Void, json: (@Sendable (String) -> Void)?, events: EventLogWriter?
    ) {
        self.human = human
        self.json = json
        self.events = events
    }

    /// A step that is a fleet event: logged, and its JSON line is `{"step": step, <the payload>}`.
    public func step(_ step: String, _ event: some TypedEvent, text: String) {
        var object: JSONObject = ["step": .string(step)]
        for (key, value) in event.payload { object[key] = value }
        report(object, text: text) { _ = try? events?.append(event) }
    }

    /// A step that is only reported: `{"step": step, "rollout": id, <payload>}`.
    public func step(_ step: String, rollout: String, _ payload: JSONObject = [:], text: String) {
        var object: JSONObject = ["step": .string(step), "rollout": .string(rollout)]
        for (key, value) in payload { object[key] = value }
        report(object, text: text) {}
    }

    private func report(_ object: JSONObject, text: String, log: () -> Void) {
        lock.withLock { _ in
            if let json {
                json(JSONWriter(style: .compact).string(.object(object)) + "\n")
            } else {
                human("fleetctl: " + text + "\n")
            }
            log()
        }
    }
}
