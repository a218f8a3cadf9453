import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Compiled agent-runner builds side by side, `versions_dir/X.Y.Z/agent-runner`, and the command
/// on PATH (`bin_link`) as a symlink to one of them, switched atomically (a new symlink renamed
/// over the old one: a shell or systemd never finds the command missing or half-written).
/// `versions_dir/state.json` records which version is current and which came before, for
/// `upgrade --rollback`; it is rewritten atomically.
///
/// state.json, the upgrade record, the builds' bytes, the folders' listings and the files it
/// deletes go through `fileSystem`; the link, the renames and the folders themselves
/// (symlink(2), rename(2), rmdir(2)) and a build downloaded piece by piece (``StagingFile``)
/// are the store's own mechanism and need a real directory: tests use a temporary one.
public struct VersionStore: Sendable {
    public static let binaryName = "agent-runner"

    public struct Entry: Sendable, Equatable {
        public var version: String
        public var sha256: String
        /// UTC, `YYYY-MM-DDTHH:MM:SS.mmmZ`.
        public var installedAt: String
    }

    public struct State: Sendable, Equatable {
        public var current: String?
        public var previous: String?
        /// Installed versions, oldest first.
        public var versions: [Entry] = []

        public init(current: String? = nil, previous: String? = nil, versions: [Entry] = []) {
            self.current = current
            self.previous = previous
            self.versions = versions
        }
    }

    public let versionsDir: String
    public let binLink: String
    public let keepVersions: Int
    let fileSystem: any FileSystem

    public init(versionsDir: String, binLink: String, keepVersions: Int, fileSystem: any FileSystem) {
        self.versionsDir = versionsDir
        self.binLink = binLink
        self.keepVersions = keepVersions
        self.fileSystem = fileSystem
    }

    public init(config: AgentRunnerConfig.Upgrade, fileSystem: any FileSystem) {
        self.init(
            versionsDir: config.versionsDir, binLink: config.binLink, keepVersions: config.keepVersions,
            fileSystem: fileSystem)
    }

    public var statePath: String { versionsDir + "/state.json" }

    public func binaryPath(_ version: String) -> String {
        versionsDir + "/" + version + "/" + Self.binaryName
    }

    public func isInstalled(_ version: String) -> Bool {
        Directories.isExecutableFile(binaryPath(version))
    }

    /// A version names a directory: digits, letters, `.`, `_`, `+`, `-` only.
    public static func isValidVersion(_ text: String) -> Bool {
        versionProblem(text) == nil
    }

    /// Names of versions_dir's own entries, which no build may take.
    static let reservedNames: Set<String> = ["state.json", "upgrade.lock", "upgrade-in-progress.json"]

    /// Why `text` cannot name a build's folder in versions_dir, or nil. Beyond the characters a
    /// folder name needs, it starts with a letter or a digit: a leading `.` names the upgrader's
    /// own hidden entries (a build reporting `.staging-1` was installed, then deleted as a
    /// half-written build by the next upgrade), a leading `-` reads as an option; and it is
    /// none of versions_dir's files.
    public static func versionProblem(_ text: String) -> String? {
        if text.isEmpty { return "it is empty" }
        if text.utf8.count > 64 { return "it is longer than 64 characters" }
        let plain = text.unicodeScalars.allSatisfy { scalar in
            (scalar >= "a" && scalar <= "z") || (scalar >= "A" && scalar <= "Z") || (scalar >= "0" && scalar <= "9")
                || scalar == "." || scalar == "_" || scalar == "+" || scalar == "-"
        }
        if !plain { return "it may hold only letters, digits, '.', '_', '+' and '-' (it names a folder)" }
        if let first = text.unicodeScalars.first, !first.properties.isAlphabetic && !("0"..."9").contains(first) {
            return "it must start with a letter or a digit (a leading '\(first)' names the upgrader's own "
                + "hidden or temporary entries, such as its .staging-* folders)"
        }
        if reservedNames.contains(text.lowercased()) { return "it is the name of versions_dir's own \(text)" }
        return nil
    }

    /// The whole binary at `path` (at most 1 GiB: anything larger is not an agent-runner build).
    func readBinary(_ path: String) throws(FileReadError) -> [UInt8] {
        try fileSystem.readFile(path, limit: 1 << 30)
    }

    // MARK: state.json

    public func readState() throws(LifecycleError) -> State {
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(statePath, limit: 1 << 20)
        } catch {
            if error.isMissing { return State() }
            throw LifecycleError("cannot read \(statePath): \(error.reason)")
        }
        guard case .object(let object)? = try? JSONParser.strict.parse(String(decoding: bytes, as: UTF8.self)) else {
            throw LifecycleError(
                "\(statePath) is not valid JSON; fix or delete it "
                    + "(it only records the upgrade history)")
        }
        var state = State(current: object["current"]?.stringValue, previous: object["previous"]?.stringValue)
        for item in object["versions"]?.arrayValue ?? [] {
            guard let version = item["version"]?.stringValue else { continue }
            state.versions.append(
                Entry(
                    version: version, sha256: item["sha256"]?.stringValue ?? "",
                    installedAt: item["installed_at"]?.stringValue ?? ""))
        }
        return state
    }

    public func writeState(_ state: State) throws(LifecycleError) {
        let versions = state.versions.map { entry -> JSONValue in
            .object(
                JSONObject([
                    ("version", .string(entry.version)), ("sha256", .string(entry.sha256)),
                    ("installed_at", .string(entry.installedAt)),
                ]))
        }
        let object = JSONObject([
            ("current", state.current.map(JSONValue.string) ?? .null),
            ("previous", state.previous.map(JSONValue.string) ?? .null),
            ("versions", .array(versions)),
        ])
        do {
            try fileSystem.writeAtomically(Self.document(.object(object)), to: statePath, mode: 0o600)
        } catch {
            throw LifecycleError("\(error)")
        }
    }

    /// A JSON file's bytes: pretty, two spaces, a final newline.
    static func document(_ value: JSONValue) -> [UInt8] {
        Array((JSONWriter(style: .pretty(indent: 2)).string(value) + "\n").utf8)
    }

    // MARK: the upgrade in progress

    /// ``UpgradeRecord``'s file.
    public var upgradeRecordPath: String { versionsDir + "/upgrade-in-progress.json" }
    /// Held (`flock`) by the running `agent-runner upgrade`; the kernel drops it when that
    /// process dies, however it dies.
    public var lockPath: String { versionsDir + "/upgrade.lock" }

    /// Takes the upgrade lock: one upgrade at a time per versions_dir.
    public func lock() throws(LifecycleError) -> FileLock {
        try createVersionsDir()
        do {
            return try FileLock.acquire(lockPath)
        } catch let held as FileLock.HeldError {
            let holder = held.holderPID.map { " (pid \($0))" } ?? ""
            throw LifecycleError(
                "another agent-runner upgrade\(holder) is running on \(versionsDir); "
                    + "wait for it to finish, then run this again")
        } catch {
            throw LifecycleError("cannot lock \(lockPath): \(error)")
        }
    }

    /// The record an interrupted upgrade left, or nil.
    public func readUpgradeRecord() throws(LifecycleError) -> UpgradeRecord? {
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(upgradeRecordPath, limit: 1 << 16)
        } catch {
            if error.isMissing { return nil }
            throw LifecycleError("cannot read \(upgradeRecordPath): \(error.reason)")
        }
        guard let record = UpgradeRecord(text: String(decoding: bytes, as: UTF8.self)) else {
            throw LifecycleError(
                "\(upgradeRecordPath) is not an upgrade record; check that \(binLink) runs "
                    + "(\(binLink) --version), then delete the file")
        }
        return record
    }

    public func writeUpgradeRecord(_ record: UpgradeRecord) throws(LifecycleError) {
        do {
            try fileSystem.writeAtomically(Self.document(record.json), to: upgradeRecordPath, mode: 0o600)
        } catch {
            throw LifecycleError("\(error); nothing was changed yet")
        }
    }

    public func removeUpgradeRecord() {
        fileSystem.removeFile(upgradeRecordPath)
    }

    /// Deletes staging folders (`.staging-*`) left by upgrades that died while writing a build.
    /// Only call it holding ``lock()``: then no other upgrade is staging. Returns their names.
    public func removeStaleStaging() -> [String] {
        var removed: [String] = []
        for name in fileSystem.directoryNames(versionsDir) where name.hasPrefix(".staging-") {
            let folder = versionsDir + "/" + name
            for file in fileSystem.directoryNames(folder) { fileSystem.removeFile(folder + "/" + file) }
            if rmdir(folder) == 0 { removed.append(name) }
        }
        return removed.sorted()
    }

    // MARK: the link

    /// The version bin_link points at, when it is a symlink into versions_dir.
    public func linkedVersion() -> String? {
        guard let target = Self.readLink(binLink) else { return nil }
        let absolute = ConfigPaths.absolute(target, against: ConfigPaths.directory(of: binLink))
        let prefix = ConfigPaths.normalize(versionsDir) + "/"
        guard absolute.hasPrefix(prefix), absolute.hasSuffix("/" + Self.binaryName) else { return nil }
        let version = String(absolute.dropFirst(prefix.count).dropLast(Self.binaryName.count + 1))
        return Self.isValidVersion(version) ? version : nil
    }

    /// Points bin_link at `version`'s binary: a fresh symlink renamed over the old link.
    public func switchLink(to version: String) throws(LifecycleError) {
        let directory = ConfigPaths.directory(of: binLink)
        if let error = fileSystem.createDirectory(directory) {
            throw LifecycleError("cannot create \(directory) for \(binLink): \(SystemError.text(error))")
        }
        let unique = "\(getpid()).\(UInt32.random(in: 0...UInt32.max))"
        let temporary = "\(directory)/.\(ConfigPaths.basename(binLink)).\(unique).tmp"
        guard symlink(binaryPath(version), temporary) == 0 else {
            throw LifecycleError(
                "cannot create a symlink in \(directory): \(SystemError.text(errno)); "
                    + "\(binLink) unchanged")
        }
        guard rename(temporary, binLink) == 0 else {
            let code = errno
            fileSystem.removeFile(temporary)
            throw LifecycleError("cannot replace \(binLink): \(SystemError.text(code)); it is unchanged")
        }
    }

    // MARK: installing

    /// Writes `bytes` as an executable in a staging folder inside versions_dir (same file
    /// system, so ``install(staged:as:)`` is a rename). The caller removes it on failure.
    public func stage(_ bytes: [UInt8]) throws(LifecycleError) -> String {
        try createVersionsDir()
        let folder = "\(versionsDir)/.staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(folder, 0o755) == 0 else {
            throw LifecycleError("cannot create \(folder): \(SystemError.text(errno))")
        }
        do {
            try fileSystem.writeAtomically(bytes, to: folder + "/" + Self.binaryName, mode: 0o755)
        } catch {
            removeBuild(folder + "/" + Self.binaryName)
            throw LifecycleError("\(error)")
        }
        return folder + "/" + Self.binaryName
    }

    /// An empty executable in a new staging folder, for a build that arrives in pieces. The
    /// caller finishes or discards it.
    func openStaging() throws(LifecycleError) -> StagingFile {
        try createVersionsDir()
        let folder = "\(versionsDir)/.staging-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(folder, 0o755) == 0 else {
            throw LifecycleError("cannot create \(folder): \(SystemError.text(errno))")
        }
        let path = folder + "/" + Self.binaryName
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o755)
        guard fd >= 0 else {
            let code = errno
            rmdir(folder)
            throw LifecycleError("cannot create \(path): \(SystemError.text(code))")
        }
        return StagingFile(path: path, fd: fd, store: self)
    }

    /// Moves a staged binary to `versions_dir/version/agent-runner`.
    public func install(staged: String, as version: String) throws(LifecycleError) {
        let folder = ConfigPaths.directory(of: staged)
        guard rename(folder, versionsDir + "/" + version) == 0 else {
            throw LifecycleError("cannot move \(folder) to \(versionsDir)/\(version): \(SystemError.text(errno))")
        }
    }

    /// Deletes a build: the binary and its folder (a staging folder or versions_dir/X.Y.Z).
    public func removeBuild(_ staged: String) {
        fileSystem.removeFile(staged)
        rmdir(ConfigPaths.directory(of: staged))
    }

    private func createVersionsDir() throws(LifecycleError) {
        if let error = fileSystem.createDirectory(versionsDir) {
            throw LifecycleError("cannot create \(versionsDir): \(SystemError.text(error)); fix [upgrade] versions_dir")
        }
    }

    /// Records `version` as installed (once) with its digest.
    public func record(_ version: String, sha256: String, at instant: String, in state: inout State) {
        guard !state.versions.contains(where: { $0.version == version }) else { return }
        state.versions.append(Entry(version: version, sha256: sha256, installedAt: instant))
    }

    /// Keeps the current, the previous and the newest others up to keep_versions; deletes the
    /// rest (only folders holding nothing but the binary: anything else an operator put there
    /// stays). Returns the versions removed.
    public func prune(_ state: inout State) -> [String] {
        var keep = Set([state.current, state.previous].compactMap { $0 })
        for entry in state.versions.reversed() where keep.count < keepVersions { keep.insert(entry.version) }
        var removed: [String] = []
        for entry in state.versions where !keep.contains(entry.version) {
            let folder = versionsDir + "/" + entry.version
            // Only a folder that held nothing but the binary goes: rmdir refuses the others.
            fileSystem.removeFile(folder + "/" + Self.binaryName)
            if rmdir(folder) == 0 || errno == ENOENT {
                removed.append(entry.version)
            }
        }
        state.versions.removeAll { removed.contains($0.version) }
        return removed
    }

    static func readLink(_ path: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 4097)
        let count = readlink(path, &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        return String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Whether something exists at `path` without following a symlink (a dangling link counts).
    static func entryExists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }
}
