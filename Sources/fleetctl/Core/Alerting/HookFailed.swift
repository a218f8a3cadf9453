import FleetCore

/// `hook_failed` as fleetctl writes it for a command hook: the hook exited non-zero, was
/// killed at its timeout, could not be started, or was dropped from a full queue. (agent-runner's
/// own round hooks write `hook_failed` with other keys; Alertmanager hooks write
/// ``AlertmanagerHookFailed``.)
public struct HookFailed: TypedEvent {
    public static let kind = EventKind.hookFailed
    public static let fields: [EventField<Self>] = [
        .string("hook", \.hook),
        .string("host", \.host),
        .string("detector", \.detector),
        .string("state", \.state),
        .string("error", \.error),
        .bool("timed_out", \.timedOut),
        .string("output_tail", \.outputTail),
        .int("exit_code", \.exitCode),
    ]

    public var hook: String
    public var host: String
    public var detector: String
    /// The notification's state: `firing` or `resolved`.
    public var state: String
    public var error: String
    public var timedOut: Bool
    /// The end of the hook's combined output.
    public var outputTail: String
    /// Null when the hook did not exit by itself (not started, killed by a signal).
    public var exitCode: Int?

    public init(
        hook: String, host: String, detector: String, state: String, error: String, timedOut: Bool,
        outputTail: String, exitCode: Int?
    ) {
        self.hook = hook
        self.host = host
        self.detector = detector
        self.state = state
        self.error = error
        self.timedOut = timedOut
        self.outputTail = outputTail
        self.exitCode = exitCode
    }
}
