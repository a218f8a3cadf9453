import FleetCore

// The events of the work a round left uncommitted: detected, then stashed (by SHA) or
// auto-committed, as `[vcs] dirty_action` says.

extension EventField {
    /// `files`: the first 20 changed paths (a round can leave thousands).
    fileprivate static func firstFiles(_ path: any KeyPath<Event, [String]> & Sendable) -> Self {
        Self("files", type: "[str]") { .array($0[keyPath: path].prefix(20).map { .string($0) }) }
    }
}

/// `dirty_check_failed`: `git status` failed or timed out after the round (at most 200
/// characters of why).
public struct DirtyCheckFailed: TypedEvent {
    public static let kind = EventKind.dirtyCheckFailed
    public static let fields: [EventField<Self>] = [.int("round_num", \.roundNum), .string("reason", \.reason)]

    public var roundNum: Int
    public var reason: String

    public init(roundNum: Int, error: GitError) {
        self.roundNum = roundNum
        reason = UTF8Clip.prefix(error.description, maxScalars: 200, maxBytes: 800)
    }
}

/// `dirty_detected`: the round left changes (the first 20 paths).
public struct DirtyDetected: TypedEvent {
    public static let kind = EventKind.dirtyDetected
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .firstFiles(\.files),
    ]

    public var roundNum: Int
    public var files: [String]

    public init(roundNum: Int, files: [String]) {
        self.roundNum = roundNum
        self.files = files
    }
}

/// `orphan_stashed`: the changes went to a stash, named by its commit (never `stash@{N}`,
/// which shifts) in orphan-state.json and the next round's context.
public struct OrphanStashed: TypedEvent {
    public static let kind = EventKind.orphanStashed
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("ref", \.ref), .constant("reason", "clean_exit_with_dirty_tree"),
    ]

    public var roundNum: Int
    public var ref: String

    public init(roundNum: Int, ref: String) {
        self.roundNum = roundNum
        self.ref = ref
    }
}

/// `orphan_idempotent_skip`: this round's stash was made moments ago (a restarted round):
/// no second stash.
public struct OrphanIdempotentSkip: TypedEvent {
    public static let kind = EventKind.orphanIdempotentSkip
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("ref", \.ref), .constant("reason", "clean_exit_with_dirty_tree"),
    ]

    public var roundNum: Int
    public var ref: String

    public init(roundNum: Int, ref: String) {
        self.roundNum = roundNum
        self.ref = ref
    }
}

/// `orphan_stash_failed`: `git stash` failed; the changes stay in the tree.
public struct OrphanStashFailed: TypedEvent {
    public static let kind = EventKind.orphanStashFailed
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("phase", \.phase), .string("reason", \.reason),
    ]

    public var roundNum: Int
    public var phase: String?
    public var reason: String

    public init(roundNum: Int, phase: String?, error: GitError) {
        self.roundNum = roundNum
        self.phase = phase
        reason = UTF8Clip.prefix(error.description, maxScalars: 200, maxBytes: 800)
    }
}

/// `dirty_auto_committed`: the changes were committed (`dirty_action = "auto_commit"`).
public struct DirtyAutoCommitted: TypedEvent {
    public static let kind = EventKind.dirtyAutoCommitted
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .firstFiles(\.files),
        .string("ref", \.ref),
    ]

    public var roundNum: Int
    public var files: [String]
    public var ref: String

    public init(roundNum: Int, files: [String], ref: String) {
        self.roundNum = roundNum
        self.files = files
        self.ref = ref
    }
}

/// `dirty_commit_failed`: the auto-commit failed; the changes stay in the tree.
public struct DirtyCommitFailed: TypedEvent {
    public static let kind = EventKind.dirtyCommitFailed
    public static let fields: [EventField<Self>] = [
        .int("round_num", \.roundNum), .string("phase", \.phase), .string("reason", \.reason),
    ]

    public var roundNum: Int
    public var phase: String?
    public var reason: String

    public init(roundNum: Int, phase: String?, error: GitError) {
        self.roundNum = roundNum
        self.phase = phase
        reason = UTF8Clip.prefix(error.description, maxScalars: 200, maxBytes: 800)
    }
}
