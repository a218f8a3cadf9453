import FleetCore

/// How `fleetctl upgrade` ends for a rollout's final journal: the exit code and, when the code
/// alone would mislead, the line that says why.
public struct RolloutOutcome: Sendable, Equatable {
    public var exitCode: Int32
    /// Printed on stderr (without the `fleetctl: ` prefix).
    public var message: String?

    public init(exitCode: Int32, message: String? = nil) {
        self.exitCode = exitCode
        self.message = message
    }

    /// A run or a resume: 0 only when the rollout finished with every host healthy. A rollout
    /// that finished around failed hosts (within `--max-failures`) still exits 1, naming them,
    /// as Ansible does for a play that tolerated failures: scripts must not read it as clean.
    public static func of(_ journal: RolloutJournal) -> RolloutOutcome {
        guard journal.status == .finished else { return RolloutOutcome(exitCode: ExitCode.failure) }
        let failed = journal.hosts.filter { $0.value == .failed || $0.value == .unreached }.keys.sorted()
        guard failed.isEmpty else {
            let plural = failed.count == 1 ? "" : "s"
            let message =
                "rollout \(journal.id) finished with \(failed.count) failed host\(plural) "
                + "(tolerated by --max-failures \(journal.settings.maxFailures)): " + failed.joined(separator: ", ")
            return RolloutOutcome(exitCode: ExitCode.failure, message: message)
        }
        return RolloutOutcome(exitCode: ExitCode.success)
    }

    /// `--abort`: 1 when a host could not be rolled back (it stays touched, for another abort).
    public static func ofAbort(_ journal: RolloutJournal) -> RolloutOutcome {
        RolloutOutcome(exitCode: journal.hosts.values.contains(.rollbackFailed) ? ExitCode.failure : ExitCode.success)
    }

    /// Why `--resume` refuses `journal`: only a running rollout can be resumed. Nil when it can.
    public static func resumeRefusal(_ journal: RolloutJournal) -> String? {
        guard journal.status != .running else { return nil }
        let hint =
            journal.status == .failed
            ? " (fleetctl \(journal.kind.verb) --abort \(journal.id) rolls back what it touched)" : ""
        return "rollout \(journal.id) is \(journal.status.rawValue); nothing to resume" + hint
    }
}
