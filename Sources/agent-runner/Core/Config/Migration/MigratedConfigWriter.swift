import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Puts a migrated config in place: first a backup of the text it replaces, durable before the
/// config is touched, then the new text atomically (temp file, fsync, rename), with the file's
/// permissions kept.
///
/// Backups are generations that are never overwritten: `agent-runner.toml.bak`, then
/// `agent-runner.toml.bak.2`, `.bak.3`... The original kept one `.bak` and overwrote it on the
/// next migrate, so a second migrate after a hand edit lost the only copy of the 0.2.x file.
/// Since a migrated file has nothing left to rewrite, a new generation appears only when the
/// file changed back in between.
public struct MigratedConfigWriter: Sendable {
    /// Generations tried before giving up (an operator with 999 backups has a different problem).
    public static let maximumGenerations = 999

    /// The config file as the operator named it (the backup goes next to this name).
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// The backups of `configPath` that exist now, oldest generation first (the search stops
    /// after ten missing generations in a row: the operator may have deleted a few).
    public static func existingBackups(of configPath: String) -> [String] {
        let writer = MigratedConfigWriter(path: configPath)
        var found: [String] = []
        var missing = 0
        for generation in 1...maximumGenerations where missing < 10 {
            let path = writer.backupPath(generation: generation)
            if Directories.exists(path) {
                found.append(path)
                missing = 0
            } else {
                missing += 1
            }
        }
        return found
    }

    /// The name of generation `n` (1-based) of the backup.
    public func backupPath(generation: Int) -> String {
        generation == 1 ? path + ".bak" : path + ".bak.\(generation)"
    }

    /// Writes the backup of `original`, then `migrated` in place of the config; returns the
    /// backup's path. Refuses, writing nothing, when the file no longer holds `original` (edited
    /// while migrate ran). A symlinked config is written through the link.
    public func write(original: [UInt8], migrated: [UInt8]) throws(MigrationError) -> String {
        let target = LocalFileSystem().resolveSymlinks(path) ?? path
        let current: [UInt8]
        do {
            current = try LocalFileSystem().readFile(target)
        } catch {
            throw MigrationError(
                "cannot read \(path) again before writing it (\(error.reason)); nothing was written",
                exitCode: ExitCode.failure)
        }
        guard current == original else {
            throw MigrationError(
                "\(path) changed while migrate ran; nothing was written: run agent-runner migrate again",
                exitCode: ExitCode.failure)
        }
        var status = stat()
        let mode = stat(target, &status) == 0 ? status.st_mode & 0o7777 : 0o644
        var backup: String?
        for generation in 1...Self.maximumGenerations {
            let candidate = backupPath(generation: generation)
            do {
                if try AtomicFile.createNew(original, at: candidate, mode: mode) {
                    backup = candidate
                    break
                }
            } catch {
                throw MigrationError(
                    "cannot write the backup \(candidate): \(error); \(path) was left unchanged",
                    exitCode: ExitCode.failure)
            }
        }
        guard let backup else {
            throw MigrationError(
                "\(path).bak and \(Self.maximumGenerations - 1) numbered backups exist; move old ones "
                    + "away, then run agent-runner migrate again; \(path) was left unchanged",
                exitCode: ExitCode.failure)
        }
        do {
            try AtomicFile.write(migrated, to: target, mode: mode)
        } catch {
            throw MigrationError(
                "cannot write \(path): \(error) (the backup \(backup) holds the text it had)",
                exitCode: ExitCode.failure)
        }
        return backup
    }
}
