import FleetCore
import Glibc
import Monitoring

/// The rollout journals in `<state dir>/rollouts/<id>.json`, each written atomically after every
/// step, so a killed fleetctl leaves a record `--resume` and `--abort` can continue from.
public struct RolloutJournalStore: Sendable {
    public var directory: String
    /// Where journals are read and written: the machine's, or a test's in memory (where each
    /// save costs no fsync). Run locks and ``list()`` are on the machine's file system.
    public let fileSystem: any FileSystem
    private let onDisk: Bool

    /// The store on this machine's file system; its folder is made 0700 on first use.
    public init(stateDirectory: String) {
        directory = StateDirectory.file("rollouts", in: stateDirectory)
        fileSystem = LocalFileSystem()
        onDisk = true
    }

    /// A store on `fileSystem` (a test's in-memory one).
    public init(stateDirectory: String, fileSystem: any FileSystem) {
        directory = StateDirectory.file("rollouts", in: stateDirectory)
        self.fileSystem = fileSystem
        onDisk = false
    }

    public func path(_ id: String) -> String { StateDirectory.file(id + ".json", in: directory) }

    public func save(_ journal: RolloutJournal) throws(RolloutError) {
        do {
            if onDisk {
                try StateDirectory.prepare(directory)
            } else if let failure = fileSystem.createDirectory(directory) {
                throw FileError(path: directory, message: SystemError.text(failure))
            }
            let text = JSONWriter(style: .pretty(indent: 2)).string(journal.json) + "\n"
            try fileSystem.writeAtomically(Array(text.utf8), to: path(journal.id), mode: 0o600)
        } catch {
            throw RolloutError("cannot write the rollout journal \(path(journal.id)): \(error)")
        }
    }

    public func load(_ id: String) throws(RolloutError) -> RolloutJournal {
        try Self.validate(id)
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(path(id), limit: 16 << 20)
        } catch {
            throw RolloutError(
                "no rollout \(id): cannot read \(path(id)): \(error.reason); see fleetctl rollouts",
                exitCode: ExitCode.usage)
        }
        guard let document = try? JSONParser.strict.parse(bytes), let journal = RolloutJournal(json: document) else {
            throw RolloutError("\(path(id)) is not a rollout journal")
        }
        return journal
    }

    /// Takes the rollout's run lock, `<id>.lock` beside its journal, held while one fleetctl
    /// runs, resumes or aborts it: two runners of one rollout would upgrade and roll back the
    /// same hosts at once. The kernel drops the lock when that fleetctl exits, however it exits.
    /// - Throws: when another fleetctl holds it, an error naming that process and what to do.
    public func lock(_ id: String) throws(RolloutError) -> FileLock {
        try Self.validate(id)
        do {
            try StateDirectory.prepare(directory)
            return try FileLock.acquire(StateDirectory.file(id + ".lock", in: directory))
        } catch let held as FileLock.HeldError {
            let holder = held.holderPID.map { "fleetctl process \($0)" } ?? "another fleetctl"
            throw RolloutError(
                "rollout \(id) is being run by \(holder); wait for it to finish, or stop it and run fleetctl upgrade --resume \(id)"
            )
        } catch {
            throw RolloutError(
                "cannot lock rollout \(id) (\(StateDirectory.file(id + ".lock", in: directory))): \(error)")
        }
    }

    /// Refuses ids that are not a plain file name (they come from the command line).
    private static func validate(_ id: String) throws(RolloutError) {
        guard !id.isEmpty, !id.contains("/"), !id.hasPrefix(".") else {
            throw RolloutError("'\(id)' is not a rollout id (see fleetctl rollouts)", exitCode: ExitCode.usage)
        }
    }

    /// Every readable journal, oldest first.
    public func list() -> [RolloutJournal] {
        let ids = fileSystem.directoryNames(directory).filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }
            .map { String($0.dropLast(5)) }
        return ids.compactMap { try? load($0) }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    /// Finished and aborted journals kept, newest first: enough to look back on a season of
    /// upgrades with `fleetctl rollouts`; older ones (and their run locks) go when a rollout
    /// starts. Running and failed journals are never deleted: `--resume` and `--abort` need them.
    public static let finishedJournalsKept = 50

    /// The journals of `journals` past the newest `keep` finished or aborted ones, oldest first.
    public static func expired(_ journals: [RolloutJournal], keep: Int) -> [RolloutJournal] {
        let done = journals.filter { $0.status == .finished || $0.status == .aborted }
            .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
        return Array(done.dropFirst(keep).reversed())
    }

    /// Deletes the journals ``expired(_:keep:)`` names, with their run locks; returns their ids.
    @discardableResult
    public func prune(keep: Int = RolloutJournalStore.finishedJournalsKept) -> [String] {
        let ids = Self.expired(list(), keep: keep).map(\.id)
        for id in ids {
            fileSystem.removeFile(path(id))
            fileSystem.removeFile(StateDirectory.file(id + ".lock", in: directory))
        }
        return ids
    }

    /// A new id from the time: `20261125-120000`, suffixed when taken.
    public func newID(now: UTCInstant) -> String {
        let stamp = String(String(EventTimestamp.format(now).filter { $0.isNumber || $0 == "T" }.prefix(15)))
            .replacingAll("T", with: "-")
        var id = stamp
        var suffix = 2
        while access(path(id), F_OK) == 0 {
            id = "\(stamp)-\(suffix)"
            suffix += 1
        }
        return id
    }
}
