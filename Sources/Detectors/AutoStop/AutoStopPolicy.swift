/// Whether fleetctl stops a host's service when a detector fires.
public struct AutoStopPolicy: Sendable, Equatable {
    public var enabled: Bool = true
    /// Detectors whose firing stops the service.
    public var on: [String] = ["oauth_fail", "disk_critical"]
    /// How long fleetctl re-polls after `agent-runner stop` for the service to report
    /// inactive (serve finishes the round in flight first) before recording a failure.
    public var confirmS: Double = 30
    public init() {}
}
