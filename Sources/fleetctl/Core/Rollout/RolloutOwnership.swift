/// Which rollout owns a host. A rollout still `running` (another fleetctl runs it, or one was
/// killed mid-way) owns every host of its plan until it is resumed to the end or aborted: a
/// second rollout over those hosts would upgrade and roll them back under the first one's feet.
public enum RolloutOwnership {
    /// A running rollout that holds some of the hosts a new rollout wants.
    public struct Conflict: Sendable, Equatable, CustomStringConvertible {
        public var rollout: String
        public var target: String
        /// The hosts both want, sorted.
        public var hosts: [String]

        /// What the operator reads: who holds which hosts, and the three ways out.
        public var description: String {
            "rollout \(rollout) to \(target) is still running on \(hosts.joined(separator: ", ")); "
                + "wait for the fleetctl running it, or finish it with fleetctl upgrade --resume \(rollout), "
                + "or roll it back with fleetctl upgrade --abort \(rollout)"
        }
    }

    /// The first running rollout of `journals` (oldest first, as the store lists them) that
    /// shares a host with `hosts`; nil when the new rollout may start.
    public static func conflict(for hosts: [String], among journals: [RolloutJournal]) -> Conflict? {
        for other in journals where other.status == .running {
            let shared = Set(other.stages.flatMap { $0 }).intersection(hosts).sorted()
            if !shared.isEmpty { return Conflict(rollout: other.id, target: other.target, hosts: shared) }
        }
        return nil
    }
}
