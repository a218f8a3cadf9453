/// A host to poll and judge: where to poll it and the policy its answers are judged by.
/// The watch loop runs over these; fleetctl's status and rollouts probe them.
public struct MonitoredHost: Sendable {
    public var target: PollTarget
    public var policy: MonitorPolicy

    public init(target: PollTarget, policy: MonitorPolicy) {
        self.target = target
        self.policy = policy
    }

    public var name: String { target.name }
}
