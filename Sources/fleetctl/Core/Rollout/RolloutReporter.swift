import FleetCore
import Synchronization

/// Where a rollout reports its steps: human lines (stderr), JSON Lines (stdout, `--json`), and the
/// fleet event log for the steps that are fleet events (`rollout_*`).
public final class RolloutReporter: Sendable {
    /// One step at a time: lines from the worker threads never interleave.
    private let lock = Mutex(())
    private let human: @Sendable (String) -> Void
    private let json: (@Sendable (String) -> Void)?
    private let events: EventLogWriter?

    public init(human: @escaping @Sendable (String) -> Void, json: (@Sendable (String) -> Void)?, events: EventLogWriter?) {
        self.human = human
        self.json = json
        self.events = events
    }

    /// One step: `step` names it in JSON, `kind` also logs it as a fleet event.
    public func step(_ step: String, rollout: String, kind: EventKind? = nil, _ payload: JSONObject = [:], text: String) {
        lock.withLock { _ in
            var object: JSONObject = ["step": .string(step), "rollout": .string(rollout)]
            for (key, value) in payload { object[key] = value }
            if let json {
                json(JSONWriter(style: .compact).string(.object(object)) + "\n")
            } else {
                human("fleetctl: " + text + "\n")
            }
            if let kind, let events {
                var event: JSONObject = ["rollout": .string(rollout)]
                for (key, value) in payload { event[key] = value }
                _ = try? events.append(kind, event)
            }
        }
    }
}
