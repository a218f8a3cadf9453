import FleetCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// `agent-runner upgrade`: installs a compiled build beside the others, proves it works, switches
/// the command on PATH to it and, when this host's supervisor is running, restarts it on the new
/// build, going back to the old one when anything fails.
///
/// Order (runbook "Upgrading agent-runner"): read the binary and verify --sha256 before anything
/// else (a build from `[upgrade] source`: stream it into a staging file while hashing it, and
/// verify the sum SHA256SUMS lists before anything runs it); stage it and read its version;
/// then, orchestrated (a running user unit or pid-file serve): graceful stop → smoke → switch →
/// start → confirm, else switch back and start the old build; package-only (system unit,
/// nothing running, --no-restart, no config): smoke → switch, and print the restart command
/// without running it (never sudo).
///
/// One upgrade at a time per versions_dir (``VersionStore/lock()``). From its first disruptive
/// step to its end, an ``UpgradeRecord`` says what it has done, so that the next run finishes or
/// undoes an upgrade that was cut short (killed, host rebooted) before doing anything else.
///
/// Every wait (the settle time, the service's stop and start) is a call on `effects.clock`,
/// every timestamp comes from `effects.wallClock`: the paths are tested in milliseconds.
public struct Upgrader: Sendable {
    let store: VersionStore
    let smoke: UpgradeSmoke
    let config: AgentRunnerConfig?
    let controller: ServiceController?
    let events: EventSink?
    let stderr: any TextOutput
    /// The running agent-runner: adopted into versions_dir on the first upgrade, so there is
    /// always a version to roll back to.
    let selfExecutable: String
    let effects: Effects
    let readStandardInput: @Sendable () throws(LifecycleError) -> [UInt8]
    /// `[upgrade] source` for this host's architecture; nil when none is configured.
    let release: ReleaseSource?
    /// What the upgrade says when there is no release source to take the latest build from.
    let noReleaseSource: String
    /// How long a restarted service must stay up to count as started.
    let settle: Duration

    public init(
        store: VersionStore, smoke: UpgradeSmoke, config: AgentRunnerConfig?, controller: ServiceController?,
        events: EventSink?, stderr: any TextOutput, selfExecutable: String, effects: Effects,
        readStandardInput: @escaping @Sendable () throws(LifecycleError) -> [UInt8],
        release: ReleaseSource? = nil, noReleaseSource: String = "no config was loaded",
        settle: Duration = .seconds(2)
    ) {
        self.store = store
        self.smoke = smoke
        self.config = config
        self.controller = controller
        self.events = events
        self.stderr = stderr
        self.selfExecutable = selfExecutable
        self.effects = effects
        self.readStandardInput = readStandardInput
        self.release = release
        self.noReleaseSource = noReleaseSource
        self.settle = settle
    }

    /// The symlink on PATH this upgrader switches.
    public var binLink: String { store.binLink }

    func say(_ line: String) { stderr.write("agent-runner: \(line)\n") }

    /// Runs the upgrade. Throws (exit 1, or 2 when an interrupted upgrade cannot be undone)
    /// when it stopped before changing anything; every later ending is an ``Outcome`` with its
    /// exit code.
    public func run(_ request: Request) throws(LifecycleError) -> Outcome {
        if request.intent == .latest && release == nil {
            throw LifecycleError(
                "upgrade without --from, --target or --rollback installs the latest build listed by "
                    + "[upgrade] source, and \(noReleaseSource); set [upgrade] source "
                    + "(docs/configuration.md), or pass --from PATH|-, --target X.Y.Z or --rollback",
                exitCode: ExitCode.usage)
        }
        let lock = try store.lock()
        defer { lock.release() }
        let staging = store.removeStaleStaging()
        if !staging.isEmpty {
            say(
                "removed \(HumanText.count(staging.count, "half-written build")) an interrupted upgrade left in "
                    + "\(store.versionsDir) (\(staging.joined(separator: ", ")))")
        }
        var state = try store.readState()
        if let recovered = try recoverInterruptedUpgrade(&state), request.intent == .rollback,
            case .restore = recovered.action
        {
            let record = recovered.record
            say(
                "the interrupted upgrade is undone: \(store.binLink) runs \(record.fromVersion); not rolling back "
                    + "further (run 'agent-runner upgrade --rollback' again for that)")
            return Outcome(
                kind: .interruptedUpgradeUndone, path: record.path, fromVersion: record.toVersion,
                toVersion: record.fromVersion, exitCode: ExitCode.success)
        }
        let candidate = try prepareCandidate(request.intent, state: &state)
        do {
            try adoptRunningVersion(&state)
        } catch {
            discard(candidate, state: &state)
            throw error
        }
        let fromVersion = store.linkedVersion() ?? state.current ?? BuildInfo.version
        let chosen = choosePath(noRestart: request.noRestart)
        if candidate.version == store.linkedVersion() {
            say("already at \(candidate.version) (\(store.binLink)); nothing to do")
            return Outcome(
                kind: .unchanged, path: chosen.path, fromVersion: fromVersion, toVersion: candidate.version,
                exitCode: ExitCode.success)
        }
        switch chosen.path {
        case .packageOnly:
            return try packageOnly(candidate, from: fromVersion, chosen: chosen, state: &state)
        case .systemdUser, .pidFile:
            return try orchestrated(candidate, from: fromVersion, path: chosen.path, state: &state)
        }
    }

    // MARK: package-only

    private func packageOnly(
        _ candidate: Candidate, from: String, chosen: ChosenPath, state: inout State
    )
        throws(LifecycleError) -> Outcome
    {
        say("package-only upgrade (\(chosen.reason)): smoke check of \(candidate.version)...")
        do {
            try smoke.check(binary: candidate.binary, expected: candidate.version, configPath: config?.configPath)
        } catch {
            discard(candidate, state: &state)
            say(
                "package smoke failed at \(candidate.version) (\(error.message)); nothing switched, \(store.binLink) "
                    + "still runs \(from); service untouched")
            return Outcome(
                kind: .smokeFailed, path: .packageOnly, fromVersion: from, toVersion: candidate.version,
                exitCode: ExitCode.failure)
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
        events?.emit(PackageUpgraded(fromVersion: from, toVersion: candidate.version))
        say("package upgraded \(from) → \(candidate.version) (\(store.binLink)); \(chosen.hint)")
        return Outcome(
            kind: .packageUpgraded, path: .packageOnly, fromVersion: from, toVersion: candidate.version,
            exitCode: ExitCode.success)
    }

    /// Records the switch in state.json and prunes old versions.
    func commit(_ version: String, from: String, state: inout State) throws(LifecycleError) {
        if state.current != version { state.previous = state.current ?? from }
        state.current = version
        let removed = store.prune(&state)
        try store.writeState(state)
        if !removed.isEmpty {
            say("removed old versions \(removed.joined(separator: ", ")) (keep_versions = \(store.keepVersions))")
        }
    }

    // MARK: the record

    /// The record of this upgrade, at its first step.
    func newRecord(_ candidate: Candidate, from: String, path: Path, restartsService: Bool) -> UpgradeRecord {
        UpgradeRecord(
            fromVersion: from, toVersion: candidate.version, path: path, step: .started,
            restartsService: restartsService, newlyInstalled: candidate.newlyInstalled, pid: getpid(),
            startedAt: EventTimestamp.format(effects.wallClock.now()))
    }

    /// Records that the upgrade reached `step`. A record that cannot be rewritten still says an
    /// upgrade was under way, which is what the next run must know; the upgrade goes on.
    func mark(_ record: inout UpgradeRecord, _ step: UpgradeRecord.Step) {
        record.step = step
        try? store.writeUpgradeRecord(record)
    }

    // MARK: standard input

    /// Everything on fd 0 (at most 1 GiB): how `--from -` reads the build fleetctl pushes.
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
            if bytes.count > 1 << 30 {
                throw LifecycleError("standard input holds more than 1 GiB; that is not an agent-runner build")
            }
        }
    }
}
