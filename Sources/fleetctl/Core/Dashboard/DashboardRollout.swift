import FleetCore

/// A rollout as the dashboard shows it: its stages and each host's state, from the journal
/// `fleetctl upgrade`/`migrate` writes after every step (so the dashboard shows what really
/// happened, including a rollout another fleetctl runs).
public struct DashboardRollout: Sendable, Equatable {
    public struct Stage: Sendable, Equatable {
        public var label: String
        public var hosts: [(host: String, state: String, note: String?)]

        public static func == (lhs: Stage, rhs: Stage) -> Bool {
            lhs.label == rhs.label && lhs.hosts.elementsEqual(rhs.hosts) { $0 == $1 }
        }
    }

    public var id: String
    /// `upgrade` or `migrate`.
    public var verb: String
    public var target: String
    /// `running`, `finished`, `failed`, `aborted`.
    public var status: String
    public var createdAt: String
    /// Index into ``stages`` of the stage in progress.
    public var currentStage: Int
    public var stages: [Stage]

    public init(_ journal: RolloutJournal) {
        id = journal.id
        verb = journal.kind.verb
        target = journal.target
        status = journal.status.rawValue
        createdAt = journal.createdAt
        currentStage = journal.currentStage
        stages = journal.stages.enumerated().map { index, hosts in
            Stage(
                label: index < journal.stageLabels.count ? journal.stageLabels[index] : "stage \(index + 1)",
                hosts: hosts.map {
                    (host: $0, state: journal.hosts[$0]?.rawValue ?? "pending", note: journal.notes[$0])
                }
            )
        }
    }

    /// The rollout to show from a state directory's journals: the running one, else the newest
    /// if it ended less than `recentS` ago by its creation time (an operator who glances at the
    /// page after a rollout sees how it ended), else none.
    public static func current(
        _ journals: [RolloutJournal], now: UTCInstant, recentS: Double = 3_600
    ) -> DashboardRollout? {
        if let running = journals.last(where: { $0.status == .running }) { return DashboardRollout(running) }
        guard let newest = journals.last, let created = EventTimestamp.parse(newest.createdAt),
            Seconds.epoch(now) - Seconds.epoch(created) < recentS
        else { return nil }
        return DashboardRollout(newest)
    }
}
