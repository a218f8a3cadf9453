/// Which round logs a prune deletes: a pure decision over the rounds found in the log dir, so the
/// count and byte budgets, the bulk guard and the rounds that are never deleted are tested as
/// values, without files.
///
/// Serve prunes before each round creates its transcript (the original's §11.4 order), so the
/// backlog never outgrows the guard: in steady state one round goes for each round that comes.
/// The guard is for a sudden backlog (a lowered `round_log_retention`, a log dir inherited from a
/// build that pruned only at boot): a count that would delete more rounds than it keeps deletes
/// none of them, and `agent-runner prune --yes` clears that backlog on the operator's word. The
/// byte budget (`round_log_max_mb`) is never held back: it is what keeps the disk from filling.
public struct RoundLogRetention: Sendable, Equatable {
    /// One round's log files (its transcript, and the original's wrapper log of the same N).
    public struct Round: Sendable, Equatable {
        public var number: Int
        /// The newest mtime of its files, seconds.
        public var mtime: Int64
        public var bytes: Int64
        public var paths: [String]

        public init(number: Int, mtime: Int64, bytes: Int64, paths: [String]) {
            self.number = number
            self.mtime = mtime
            self.bytes = bytes
            self.paths = paths
        }
    }

    /// `round_log_retention`: rounds kept, counting the one about to start; 0 keeps every round.
    public var keepRounds: Int
    /// `round_log_max_mb` in bytes: the most the kept rounds' logs may take; 0 = no byte budget.
    public var maxBytes: Int64
    /// Leave room for a round about to start: keep `keepRounds - 1` so that, once its transcript
    /// exists, the log dir holds at most `keepRounds` rounds (serve's per-round prune). False for
    /// `agent-runner prune`, which runs beside a serve whose newest round is already on disk.
    public var makingRoom: Bool

    public init(keepRounds: Int, maxBytes: Int64, makingRoom: Bool) {
        self.keepRounds = keepRounds
        self.maxBytes = maxBytes
        self.makingRoom = makingRoom
    }

    /// What a prune does.
    public struct Plan: Sendable, Equatable {
        /// Rounds to delete now, oldest first.
        public var delete: [Round]
        /// Rounds that stay, newest first.
        public var keep: [Round]
        /// Rounds past the count that the bulk guard keeps (a part of ``keep``), oldest first;
        /// empty when the guard did not hold.
        public var held: [Round] = []

        public var deferred: Bool { !held.isEmpty }
        public var bytesToFree: Int64 { delete.map(\.bytes).reduce(0, +) }
        public var bytesKept: Int64 { keep.map(\.bytes).reduce(0, +) }
        public var bytesHeld: Int64 { held.map(\.bytes).reduce(0, +) }
    }

    /// The plan for `rounds`, the newest first by mtime, then by number (a round's files of
    /// either layout go together). Kept: the newest rounds while both budgets hold; each budget
    /// takes a prefix, so an older small round never stays where a newer big one went.
    ///
    /// The running round is never deleted, whatever its size. With ``makingRoom`` (serve, before
    /// a round) no round is running yet, and the byte budget covers the finished rounds; without
    /// it the newest round is taken to be running (a serve beside `agent-runner prune`) and kept.
    ///
    /// With `bulkGuard`, a count that would delete more rounds than stay (the new round counting
    /// as one that stays) deletes none of them: they are ``Plan/held``. The byte budget is the
    /// disk's limit and always applies: a runaway transcript must not stop pruning, and a full
    /// disk stops the host.
    public func plan(_ rounds: [Round], bulkGuard: Bool) -> Plan {
        let newestFirst = rounds.sorted { ($0.mtime, $0.number) > ($1.mtime, $1.number) }
        var byBytes = 0
        var bytes: Int64 = 0
        for round in newestFirst {
            let running = !makingRoom && byBytes == 0
            guard running || maxBytes == 0 || bytes + round.bytes <= maxBytes else { break }
            byBytes += 1
            bytes += round.bytes
        }
        let countLimit = keepRounds == 0 ? Int.max : (makingRoom ? keepRounds - 1 : keepRounds)
        let byCount = min(newestFirst.count, countLimit)
        let countWouldDelete = newestFirst.count - byCount
        let guardHolds = bulkGuard && countWouldDelete > byCount + (makingRoom ? 1 : 0)
        let budgets = min(byBytes, byCount)
        let kept = guardHolds ? byBytes : budgets
        return Plan(
            delete: Array(newestFirst.dropFirst(kept).reversed()), keep: Array(newestFirst.prefix(kept)),
            held: guardHolds ? Array(newestFirst[budgets..<kept].reversed()) : [])
    }
}
