#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import FleetCore

/// `agent-runner upgrade`: installs a compiled build beside the others, proves it works, switches
/// the command on PATH to it and, when this host's supervisor is running, restarts it on the new
/// build, going back to the old one when anything fails.
///
/// Order (runbook "Upgrading agent-runner"): read the binary and verify --sha256 before anything
/// else; stage it and read its version; then, orchestrated (a running user unit or pid-file
/// serve): graceful stop → smoke → switch → start → confirm, else switch back and start the old
/// build; package-only (system unit, nothing running, --no-restart, no config): smoke → switch,
/// and print the restart command without running it (never sudo).
///
/// One upgrade at a time per versions_dir (``VersionStore/lock()``). From its first disruptive
/// step to its end, an ``UpgradeRecord`` says what it has done, so that the next run finishes or
/// undoes an upgrade that was cut short (killed, host rebooted) before doing anything else.
public struct Upgrader: Sendable {
    public enum Source: Sendable, Equatable {
        case file(String)
        /// `--from -`: how fleetctl pushes a build over ssh.
        case standardInput
    }

    public struct Request: Sendable {
        public var target: String?
        public var source: Source?
        public var sha256: String?
        public var noRestart = false
        public var rollback = false
        public init(target: String? = nil, source: Source? = nil, sha256: String? = nil, noRestart: Bool = false, rollback: Bool = false) {
            self.target = target
            self.source = source
            self.sha256 = sha256
            self.noRestart = noRestart
            self.rollback = rollback
        }
    }

    public enum Path: String, Sendable, Equatable {
        case systemdUser = "systemd_user"
        case pidFile = "pid_file"
        case packageOnly = "package_only"
    }

    public struct Outcome: Sendable, Equatable {
        public enum Kind: String, Sendable, Equatable {
            case serviceUpgraded = "service_upgraded"
            case packageUpgraded = "package_upgraded"
            case rolledBack = "service_upgrade_rolled_back"
            case rollbackFailed = "service_upgrade_rollback_failed"
            /// Package-only smoke failed: nothing was switched.
            case smokeFailed = "smoke_failed"
            /// The build is already the one bin_link points at.
            case unchanged
            /// `--rollback` found an interrupted upgrade and undid it (back on its old build);
            /// nothing older was switched to.
            case interruptedUpgradeUndone = "interrupted_upgrade_undone"
        }

        public var kind: Kind
        public var path: Path
        public var fromVersion: String
        public var toVersion: String
        public var exitCode: Int32
    }

    let store: VersionStore
    let smoke: UpgradeSmoke
    let config: AgentRunnerConfig?
    let controller: ServiceController?
    let events: EventSink?
    let stderr: any TextOutput
    /// The running agent-runner: adopted into versions_dir on the first upgrade, so there is
    /// always a version to roll back to.
    let selfExecutable: String
    let clock: any WallClock
    let readStandardInput: @Sendable () throws(LifecycleError) -> [UInt8]
    /// How long a restarted service must stay up to count as started.
    let settle: Duration

    public init(store: VersionStore, smoke: UpgradeSmoke, config: AgentRunnerConfig?, controller: ServiceController?, events: EventSink?,
                stderr: any TextOutput, selfExecutable: String, clock: any WallClock = SystemClock(),
                readStandardInput: @escaping @Sendable () throws(LifecycleError) -> [UInt8] = { () throws(LifecycleError) in try Upgrader.readAllStandardInput() },
                settle: Duration = .seconds(2)) {
        self.store = store
        self.smoke = smoke
        self.config = config
        self.controller = controller
        self.events = events
        self.stderr = stderr
        self.selfExecutable = selfExecutable
        self.clock = clock
        self.readStandardInput = readStandardInput
        self.settle = settle
    }

    func say(_ line: String) { stderr.write("agent-runner: \(line)\n") }

    /// The build to switch to.
    struct Candidate {
        var version: String
        var binary: String
        /// Installed by this run: removed again when it fails, so a bad build does not linger.
        var newlyInstalled = false
    }

    /// Runs the upgrade. Throws (exit 1, or 64 for a wrong request) when it stopped before
    /// changing anything; every later ending is an ``Outcome`` with its exit code.
    public func run(_ request: Request) throws(LifecycleError) -> Outcome {
        let lock = try store.lock()
        defer { lock.release() }
        let staging = store.removeStaleStaging()
        if !staging.isEmpty {
            say("removed \(staging.count) half-written build(s) an interrupted upgrade left in \(store.versionsDir) (\(staging.joined(separator: ", ")))")
        }
        var state = try store.readState()
        if let recovered = try recoverInterruptedUpgrade(&state), request.rollback, case .restore = recovered.action {
            say("the interrupted upgrade is undone: \(store.binLink) runs \(recovered.record.fromVersion); not rolling back further (run 'agent-runner upgrade --rollback' again for that)")
            return Outcome(kind: .interruptedUpgradeUndone, path: recovered.record.path, fromVersion: recovered.record.toVersion,
                           toVersion: recovered.record.fromVersion, exitCode: ExitCode.success)
        }
        let bytes = try readSource(request)
        let candidate = try prepareCandidate(request, bytes: bytes, state: &state)
        do {
            try adoptRunningVersion(&state)
        } catch {
            discard(candidate, state: &state)
            throw error
        }
        let fromVersion = store.linkedVersion() ?? state.current ?? BuildInfo.version
        let path = choosePath(request)
        if candidate.version == store.linkedVersion() {
            say("already at \(candidate.version) (\(store.binLink)); nothing to do")
            return Outcome(kind: .unchanged, path: path.path, fromVersion: fromVersion, toVersion: candidate.version, exitCode: ExitCode.success)
        }
        switch path.path {
        case .packageOnly:
            return try packageOnly(candidate, from: fromVersion, hint: path.hint, reason: path.reason, state: &state)
        case .systemdUser, .pidFile:
            return try orchestrated(candidate, from: fromVersion, path: path.path, state: &state)
        }
    }

    // MARK: the candidate

    private func readSource(_ request: Request) throws(LifecycleError) -> (bytes: [UInt8], sha256: String, label: String)? {
        guard !request.rollback, let source = request.source else {
            if request.sha256 != nil {
                throw LifecycleError("--sha256 verifies the binary of --from; pass --from PATH|- with it", exitCode: ExitCode.usage)
            }
            return nil
        }
        let bytes: [UInt8]
        let label: String
        switch source {
        case .standardInput:
            bytes = try readStandardInput()
            label = "standard input"
        case .file(let path):
            do {
                bytes = try LocalFileSystem().readFile(path, limit: 1 << 30)
            } catch {
                throw LifecycleError("cannot read \(path): \(error.reason)")
            }
            label = path
        }
        guard !bytes.isEmpty else { throw LifecycleError("the binary from \(label) is empty; nothing changed") }
        let digest = SHA256.hex(of: bytes)
        if let expected = request.sha256, expected.lowercased() != digest {
            throw LifecycleError("sha256 mismatch for the binary from \(label): expected \(expected.lowercased()), got \(digest) (\(bytes.count) bytes); refused, nothing changed")
        }
        return (bytes, digest, label)
    }

    /// The first upgrade on a host finds bin_link missing, a plain file, or a link elsewhere:
    /// that build is copied into versions_dir first, so `--rollback` can return to it.
    private func adoptRunningVersion(_ state: inout State) throws(LifecycleError) {
        guard store.linkedVersion() == nil else { return }
        let source: String
        let version: String
        if VersionStore.entryExists(store.binLink) && Directories.isExecutableFile(store.binLink) {
            source = store.binLink
            version = try smoke.version(of: source)
        } else {
            source = selfExecutable
            version = BuildInfo.version
        }
        if !store.isInstalled(version) {
            let bytes: [UInt8]
            do {
                bytes = try LocalFileSystem().readFile(source, limit: 1 << 30)
            } catch {
                throw LifecycleError("cannot read the running build \(source) to keep it for rollback: \(error.reason)")
            }
            let staged = try store.stage(bytes)
            do {
                try store.install(staged: staged, as: version)
            } catch {
                store.removeBuild(staged)
                throw error
            }
            // Older than anything installed from now on: first in the list, pruned first.
            state.versions.removeAll { $0.version == version }
            state.versions.insert(VersionStore.Entry(version: version, sha256: SHA256.hex(of: bytes), installedAt: EventTimestamp.format(clock.now())), at: 0)
            say("kept the running build \(version) as \(store.binaryPath(version)) (for --rollback)")
        }
        if state.current == nil { state.current = version }
        try store.writeState(state)
    }

    typealias State = VersionStore.State

    private func prepareCandidate(_ request: Request, bytes: (bytes: [UInt8], sha256: String, label: String)?, state: inout State) throws(LifecycleError) -> Candidate {
        if request.rollback {
            let current = store.linkedVersion() ?? state.current
            guard let previous = state.previous, previous != current, store.isInstalled(previous) else {
                throw LifecycleError("no previous version to roll back to (\(store.statePath) records previous: \(state.previous ?? "none")); use --target X.Y.Z with an installed version")
            }
            return Candidate(version: previous, binary: store.binaryPath(previous))
        }
        if let bytes {
            let staged = try store.stage(bytes.bytes)
            let version: String
            do {
                version = try smoke.version(of: staged)
            } catch {
                store.removeBuild(staged)
                throw LifecycleError("\(error.message); nothing changed")
            }
            if let target = request.target, target != version {
                store.removeBuild(staged)
                throw LifecycleError("the binary from \(bytes.label) reports version \(version), not --target \(target); nothing changed")
            }
            if store.isInstalled(version) {
                store.removeBuild(staged)
                let installed = (try? LocalFileSystem().readFile(store.binaryPath(version), limit: 1 << 30)).map { SHA256.hex(of: $0) }
                guard installed == bytes.sha256 else {
                    throw LifecycleError("version \(version) is already installed at \(store.binaryPath(version)) with different content (sha256 \(installed ?? "unreadable")); a build must not reuse a version number; nothing changed")
                }
            } else {
                do {
                    try store.install(staged: staged, as: version)
                } catch {
                    store.removeBuild(staged)
                    throw error
                }
                store.record(version, sha256: bytes.sha256, at: EventTimestamp.format(clock.now()), in: &state)
                try store.writeState(state)
                say("staged \(version) (sha256 \(bytes.sha256.prefix(12))...) as \(store.binaryPath(version))")
                return Candidate(version: version, binary: store.binaryPath(version), newlyInstalled: true)
            }
            return Candidate(version: version, binary: store.binaryPath(version))
        }
        if let target = request.target {
            guard store.isInstalled(target) else {
                throw LifecycleError("version \(target) is not installed in \(store.versionsDir) and no --from was given; pass --from PATH|- with that build")
            }
            return Candidate(version: target, binary: store.binaryPath(target))
        }
        throw LifecycleError("upgrade needs --from PATH|- (a new build), --target X.Y.Z (an installed version) or --rollback", exitCode: ExitCode.usage)
    }

    // MARK: the path

    struct ChosenPath {
        var path: Path
        var reason: String
        var hint: String
    }

    /// Orchestrated only when this agent-runner runs the supervisor now: a user unit that is
    /// active (and starts bin_link), or a live pid-file serve. A stopped service stays stopped.
    func choosePath(_ request: Request) -> ChosenPath {
        guard let config, let controller else {
            return ChosenPath(path: .packageOnly, reason: "no agent-runner.toml here",
                              hint: "restart your supervisor to load it (pass --config to let agent-runner restart it for you)")
        }
        let paths = controller.paths
        let state = controller.detector.detect()
        if state.systemManaged {
            return ChosenPath(path: .packageOnly, reason: "\(paths.serveUnitName) is a system unit",
                              hint: "restart it to load the new build: sudo systemctl restart \(paths.serveUnitName)")
        }
        switch state.mode {
        case .systemdUser where state.active:
            let unitText = (try? LocalFileSystem().readFile(paths.userUnitPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
            let startsLink = unitText.split(separator: "\n").contains { $0.hasPrefix("ExecStart=\(UnitFile.commandLine([store.binLink])) ") }
            if !startsLink {
                return ChosenPath(path: .packageOnly, reason: "\(paths.serveUnitName) does not start \(store.binLink)",
                                  hint: "point the unit at it and restart: agent-runner install --force --config \(config.configPath)")
            }
            if request.noRestart {
                return ChosenPath(path: .packageOnly, reason: "--no-restart", hint: "restart to load it: systemctl --user restart \(paths.serveUnitName)")
            }
            return ChosenPath(path: .systemdUser, reason: "", hint: "")
        case .pidFile where state.servePID != nil:
            if request.noRestart {
                return ChosenPath(path: .packageOnly, reason: "--no-restart", hint: "restart to load it: agent-runner restart --config \(config.configPath)")
            }
            return ChosenPath(path: .pidFile, reason: "", hint: "")
        default:
            return ChosenPath(path: .packageOnly, reason: "the service is not running",
                              hint: "nothing was restarted; 'agent-runner start' runs the new build")
        }
    }

    // MARK: package-only

    private func packageOnly(_ candidate: Candidate, from: String, hint: String, reason: String, state: inout State) throws(LifecycleError) -> Outcome {
        say("package-only upgrade (\(reason)): smoke check of \(candidate.version)...")
        do {
            try smoke.check(binary: candidate.binary, expected: candidate.version, configPath: config?.configPath)
        } catch {
            discard(candidate, state: &state)
            say("package smoke failed at \(candidate.version) (\(error.message)); nothing switched, \(store.binLink) still runs \(from); service untouched")
            return Outcome(kind: .smokeFailed, path: .packageOnly, fromVersion: from, toVersion: candidate.version, exitCode: ExitCode.failure)
        }
        var record = newRecord(candidate, from: from, path: .packageOnly, restartsService: false)
        try store.writeUpgradeRecord(record)
        do {
            try store.switchLink(to: candidate.version)
        } catch {
            store.removeUpgradeRecord()
            throw error
        }
        mark(&record, .switched)
        try commit(candidate.version, from: from, state: &state)
        store.removeUpgradeRecord()
        events?.emit(.packageUpgraded, JSONObject([
            ("from_version", .string(from)), ("to_version", .string(candidate.version)), ("restart_deferred", .bool(true)),
        ]))
        say("package upgraded \(from) → \(candidate.version) (\(store.binLink)); \(hint)")
        return Outcome(kind: .packageUpgraded, path: .packageOnly, fromVersion: from, toVersion: candidate.version, exitCode: ExitCode.success)
    }

    /// Deletes a build this run installed and that failed, and forgets it in state.json.
    func discard(_ candidate: Candidate, state: inout State) {
        guard candidate.newlyInstalled, store.linkedVersion() != candidate.version else { return }
        store.removeBuild(candidate.binary)
        state.versions.removeAll { $0.version == candidate.version }
        try? store.writeState(state)
    }

    /// Records the switch in state.json and prunes old versions.
    func commit(_ version: String, from: String, state: inout State) throws(LifecycleError) {
        if state.current != version { state.previous = state.current ?? from }
        state.current = version
        let removed = store.prune(&state)
        try store.writeState(state)
        if !removed.isEmpty { say("removed old versions \(removed.joined(separator: ", ")) (keep_versions = \(store.keepVersions))") }
    }

    // MARK: orchestrated

    private func orchestrated(_ candidate: Candidate, from: String, path: Path, state: inout State) throws(LifecycleError) -> Outcome {
        guard let controller else { throw LifecycleError("internal error: no service controller", exitCode: ExitCode.software) }
        let started = ContinuousClock.now
        var record = newRecord(candidate, from: from, path: path, restartsService: true)
        try store.writeUpgradeRecord(record)
        do {
            try controller.stop()
        } catch {
            store.removeUpgradeRecord()
            throw LifecycleError("could not stop the service (\(error.message)); nothing was switched, \(store.binLink) still runs \(from)")
        }
        say("smoke check (--version + \(UpgradeSmoke.projectCheckArguments(configPath: controller.paths.configPath).dropFirst(2).joined(separator: " ")))...")
        do {
            try smoke.check(binary: candidate.binary, expected: candidate.version, configPath: controller.paths.configPath)
        } catch {
            say("smoke failed at \(candidate.version): \(error.message)")
            mark(&record, .rollingBack)
            discard(candidate, state: &state)
            return rollBack(attempted: candidate.version, from: from, reason: error.message, switched: false, path: path, started: started)
        }
        say("smoke OK (now at \(candidate.version))")
        do {
            try store.switchLink(to: candidate.version)
        } catch {
            mark(&record, .rollingBack)
            return rollBack(attempted: candidate.version, from: from, reason: error.message, switched: false, path: path, started: started)
        }
        mark(&record, .switched)
        say("starting service...")
        let startClock = ContinuousClock.now
        do {
            try startAndConfirm(controller, executable: store.binLink)
        } catch {
            let unit = controller.paths.serveUnitName
            let remedy = path == .systemdUser ? "systemctl --user status \(unit)" : "tail -n 50 \(controller.paths.serveLogPath)"
            events?.emit(.upgradeStartFailed, JSONObject([
                ("to_version", .string(candidate.version)), ("failure_reason", .string(String(error.message.prefix(200)))), ("remedy", .string(remedy)),
            ]))
            say("upgraded to \(candidate.version) but the service did not start (\(error.message)); inspect: \(remedy)")
            mark(&record, .rollingBack)
            let outcome = rollBack(attempted: candidate.version, from: from, reason: "service did not start on \(candidate.version): \(error.message)",
                                   switched: true, path: path, started: started)
            if outcome.kind == .rolledBack { discard(candidate, state: &state) }
            return outcome
        }
        say("started (\((.now - startClock).shortText))")
        try commit(candidate.version, from: from, state: &state)
        store.removeUpgradeRecord()
        let total = ContinuousClock.now - started
        events?.emit(.serviceUpgraded, JSONObject([
            ("from_version", .string(from)), ("to_version", .string(candidate.version)), ("duration_s", .double(Self.seconds(total))),
        ]))
        say("upgraded \(from) → \(candidate.version) (\(total.shortText) total)")
        return Outcome(kind: .serviceUpgraded, path: path, fromVersion: from, toVersion: candidate.version, exitCode: ExitCode.success)
    }

    /// The record of this upgrade, at its first step.
    private func newRecord(_ candidate: Candidate, from: String, path: Path, restartsService: Bool) -> UpgradeRecord {
        UpgradeRecord(fromVersion: from, toVersion: candidate.version, path: path, step: .started, restartsService: restartsService,
                      newlyInstalled: candidate.newlyInstalled, pid: getpid(), startedAt: EventTimestamp.format(clock.now()))
    }

    /// Records that the upgrade reached `step`. A record that cannot be rewritten still says an
    /// upgrade was under way, which is what the next run must know; the upgrade goes on.
    private func mark(_ record: inout UpgradeRecord, _ step: UpgradeRecord.Step) {
        record.step = step
        try? store.writeUpgradeRecord(record)
    }

    /// The safety net: back to `from` (link and service), `service_upgrade_rolled_back` (exit 1);
    /// when even that fails, `service_upgrade_rollback_failed` and a loud message (exit 2).
    private func rollBack(attempted: String, from: String, reason: String, switched: Bool, path: Path, started: ContinuousClock.Instant) -> Outcome {
        guard let controller else {
            return Outcome(kind: .rollbackFailed, path: path, fromVersion: from, toVersion: attempted, exitCode: 2)
        }
        say("rolling back to \(from)...")
        do throws(LifecycleError) {
            if switched, store.isInstalled(from) {
                try store.switchLink(to: from)
            }
            if store.isInstalled(from) {
                try smoke.check(binary: store.binaryPath(from), expected: from, configPath: nil)
            }
            let executable = VersionStore.entryExists(store.binLink) ? store.binLink : selfExecutable
            try startAndConfirm(controller, executable: executable)
        } catch {
            let failure = "\(reason); rollback: \(error.message)"
            events?.emit(.serviceUpgradeRollbackFailed, JSONObject([
                ("attempted_version", .string(attempted)), ("restore_target_version", .string(from)), ("failure_reason", .string(String(failure.prefix(200)))),
            ]))
            let start = path == .systemdUser ? "systemctl --user restart \(controller.paths.serveUnitName)" : "agent-runner start --config \(controller.paths.configPath)"
            say("CRITICAL: upgrade rollback failed; the service is STOPPED. Manual intervention required: check \(store.binLink) points at \(store.binaryPath(from)), then: \(start); or run 'agent-runner upgrade --rollback' again once the cause is fixed (\(store.upgradeRecordPath) says where this one stopped). (\(failure))")
            return Outcome(kind: .rollbackFailed, path: path, fromVersion: from, toVersion: attempted, exitCode: 2)
        }
        store.removeUpgradeRecord()
        events?.emit(.serviceUpgradeRolledBack, JSONObject([
            ("attempted_version", .string(attempted)), ("restored_version", .string(from)), ("failure_reason", .string(String(reason.prefix(200)))),
            ("duration_s", .double(Self.seconds(.now - started))),
        ]))
        say("upgrade \(from) → \(attempted) failed; restored \(from) (service running)")
        return Outcome(kind: .rolledBack, path: path, fromVersion: from, toVersion: attempted, exitCode: ExitCode.failure)
    }

    /// Starts the service and requires it to still be up after the settle time.
    func startAndConfirm(_ controller: ServiceController, executable: String) throws(LifecycleError) {
        let state = try controller.start(executable: executable)
        usleep(UInt32(settle.components.seconds * 1_000_000 + settle.components.attoseconds / 1_000_000_000_000))
        let after = controller.detector.detect()
        guard after.active else {
            let log = String(decoding: Directories.tail(of: controller.paths.serveLogPath, bytes: 600), as: UTF8.self).trimmedLines
            throw LifecycleError("it exited within \(settle.components.seconds) s of starting (mode \(after.mode.rawValue)\(state.servePID.map { ", pid \($0)" } ?? ""))\(log.isEmpty ? "" : "; serve.log: " + log)")
        }
    }

    static func seconds(_ duration: Duration) -> Double {
        let millis = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return Double(millis) / 1000
    }

    /// Everything on fd 0 (at most 1 GiB).
    public static func readAllStandardInput() throws(LifecycleError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw LifecycleError("cannot read the binary from standard input: \(SystemError.text(errno))")
            }
            if count == 0 { return bytes }
            bytes.append(contentsOf: chunk[0..<count])
            if bytes.count > 1 << 30 { throw LifecycleError("standard input holds more than 1 GiB; that is not an agent-runner build") }
        }
    }
}
