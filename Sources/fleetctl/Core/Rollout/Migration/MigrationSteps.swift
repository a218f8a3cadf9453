import Detectors
import FleetCore
import Monitoring
import SSHTransport

/// Moves one host from the original 0.3.x to our build, and puts the original back.
///
/// Migrating, in order (each step recorded in the journal before it changes anything):
/// 1. read the original's peek (service mode, whether it runs, its pid, its project);
/// 2. back up what a restore needs (``MigrationScripts/record``), then record it;
/// 3. install our build beside the original (``MigrationScripts/install``; the original's files
///    untouched) and check that it answers `--version` with the target: a build that cannot run
///    fails here, before the original is disturbed;
/// 4. stop the original gracefully (its own `stop`; its round in flight finishes) and wait until
///    its peek says inactive, up to `stop_timeout`;
/// 5. migrate the config with our `migrate` (and name our link as `[upgrade] bin_link`);
/// 6. smoke: our `peek --json` must load the migrated config and report the target;
/// 7. start ours in the original's mode: a systemd user unit through our `install --force`
///    (same unit name), a pid-file serve with the original's arguments, working directory and
///    environment (``MigrationScripts/launch``); a service that was not running stays stopped.
///
/// Any failure after step 2 restores the host at once (``restore(_:_:)``): a host is never left
/// with its original stopped. Waits are on the effects' clock, calls on the remote executor.
public struct MigrationSteps: Sendable {
    /// What a restore did: whether the original is back as recorded, and what it found.
    public struct Restore: Sendable, Equatable {
        public var ok: Bool
        public var note: String
        public init(ok: Bool, note: String) {
            self.ok = ok
            self.note = note
        }
    }

    public enum Outcome: Sendable, Equatable {
        case migrated(String)
        /// `restored`: the immediate restore (nil: nothing had changed, nothing to restore).
        case failed(phase: String, reason: String, restored: Restore?)
        /// ssh never ran a command: nothing changed there.
        case unreached(String)
    }

    public var remote: any RemoteExecutor
    public var effects: Effects
    public var settings: MigrationSettings
    /// The rollout's id: names the backup folder on each host.
    public var rollout: String
    public var target: String
    public var commandTimeout: Duration
    /// Pause between the peeks that wait for a serve to stop or start.
    public var pollInterval: Duration

    public init(
        remote: any RemoteExecutor, effects: Effects, settings: MigrationSettings, rollout: String, target: String,
        commandTimeout: Duration = .seconds(300), pollInterval: Duration = .seconds(5)
    ) {
        self.remote = remote
        self.effects = effects
        self.settings = settings
        self.rollout = rollout
        self.target = target
        self.commandTimeout = commandTimeout
        self.pollInterval = pollInterval
    }

    /// `host` polled through our link instead of the inventory's (original) agent-runner.
    public func ours(_ host: MonitoredHost) -> MonitoredHost {
        var host = host
        host.target.settings.agentRunner = settings.link
        return host
    }

    /// The backup folder of this rollout on a host, as the remote sees it.
    var backupDir: String { AgentRunnerCommand.remotePath(MigrationSettings.backupRoot + "/" + rollout) }
    /// Our link and versions folder as the remote sees them (`~/x` → `x`, from the landing directory).
    var link: String { AgentRunnerCommand.remotePath(settings.link) }
    var versionsDir: String { AgentRunnerCommand.remotePath(settings.versionsDir) }

    // MARK: migrating

    public func migrate(
        _ host: MonitoredHost, artifact: RolloutArtifact,
        persist: (MigrationRecord) -> Void
    ) -> Outcome {
        let target = host.target
        let peek = remote.runJSON(
            host: target.remote, argv: AgentRunnerCommand.verb(["peek", "--json"], target.settings),
            deadline: effects.clock.now + commandTimeout)
        if case .sshFailure(let kind, _) = peek.result.outcome, kind.commandNeverRan {
            return .unreached(peek.result.errorMessage ?? kind.rawValue)
        }
        guard let document = peek.document else {
            return .failed(phase: "probe", reason: peek.result.errorMessage ?? "peek failed", restored: nil)
        }
        let state: OriginalServiceState
        switch OriginalServiceState.read(document) {
        case .success(let value): state = value
        case .failure(let error): return .failed(phase: "probe", reason: error.message, restored: nil)
        }
        if state.systemManaged {
            return .failed(
                phase: "probe", reason: "it runs under a system unit (install --system); migrate it by hand",
                restored: nil)
        }
        if state.mode == .systemdUser && !state.active {
            // Our install starts the unit it writes; left as it is, the unit would start the original.
            return .failed(
                phase: "probe",
                reason: "its systemd unit is installed but not running: start it first, or migrate it by hand",
                restored: nil)
        }
        if state.mode == .pidFile && state.active && state.pid == nil {
            return .failed(phase: "probe", reason: "its pid-file serve reports no pid to record", restored: nil)
        }

        // 2. the restore record
        let recordArguments = [
            backupDir, config(target), "agent-runner@\(state.project).service",
            "agent-runner-monitor@\(state.project).service",
            state.mode == .pidFile && state.active ? String(state.pid ?? 0) : "", link,
        ]
        let recorded = run(target, MigrationScripts.argv(MigrationScripts.record, recordArguments))
        guard let manifest = recorded.text else {
            return .failed(phase: "backup", reason: recorded.error, restored: nil)
        }
        var record: MigrationRecord
        do {
            record = try MigrationRecord(
                manifest: manifest, mode: state.mode, serviceActive: state.active,
                project: state.project)
        } catch {
            return .failed(phase: "backup", reason: error.message, restored: nil)
        }
        persist(record)
        func fail(_ phase: String, _ reason: String) -> Outcome {
            .failed(phase: phase, reason: reason, restored: restore(host, record))
        }
        if record.mode == .pidFile && record.serviceActive && record.serveArguments == nil {
            return fail("backup", "its serve's command line has no 'serve' word: \(record.serveCommandLine ?? [])")
        }

        // 3. our build beside the original
        record.step = .installed
        persist(record)
        let install = run(
            target,
            MigrationScripts.argv(
                MigrationScripts.install,
                [versionsDir, artifact.version, link, artifact.sha256]),
            stdin: artifact.bytes)
        guard install.text != nil else { return fail("install", install.error) }
        let version = run(target, [link, "--version"])
        guard let said = version.text?.trimmedText, said == "agent-runner \(artifact.version)" else {
            return fail(
                "smoke",
                "\(settings.link) --version: " + (version.text.map { "printed '\($0.trimmedText)'" } ?? version.error)
                    + ", not 'agent-runner \(artifact.version)'")
        }

        // 4. stop the original, its round in flight finishing
        if record.serviceActive {
            record.step = .stopping
            persist(record)
            if let failure = stopOriginal(target) { return fail("stop", failure) }
        }

        // 5. the config, by our migrate
        record.step = .configMigrated
        persist(record)
        let migrated = run(target, MigrationScripts.argv(MigrationScripts.migrateConfig, [link, config(target)]))
        guard migrated.text != nil else { return fail("config", migrated.error) }

        // 6. smoke: our peek reads the migrated config
        let smoke = remote.runJSON(
            host: target.remote, argv: AgentRunnerCommand.verb(["peek", "--json"], ours(host).target.settings),
            deadline: effects.clock.now + commandTimeout)
        let reported = smoke.document?["agent_runner_version"]?.stringValue
        guard reported == artifact.version else {
            return fail(
                "smoke",
                reported.map { "our peek reports \($0), not \(artifact.version)" }
                    ?? "our peek cannot read the migrated config: \(smoke.result.errorMessage ?? "no document")")
        }

        // 7. ours, in the original's service mode
        guard record.serviceActive else { return .migrated("installed and configured; the service was not running") }
        record.step = .started
        persist(record)
        switch record.mode {
        case .systemdUser:
            var words = ["install", "--force"]
            if record.units.contains(where: { $0.name == record.monitorUnit }) { words.append("--monitor") }
            let installed = run(target, AgentRunnerCommand.verb(words, ours(host).target.settings))
            guard installed.text != nil else { return fail("start", installed.error) }
            return .migrated("\(record.serveUnit) now starts \(settings.link)")
        case .pidFile, .none:
            let argv = [record.backupDir, link] + (record.serveArguments ?? ["serve", "--config", config(target)])
            let started = run(target, MigrationScripts.argv(MigrationScripts.launch, argv))
            guard started.text != nil else { return fail("start", started.error) }
            return .migrated(
                "serve started as \(settings.link) \((record.serveArguments ?? []).joined(separator: " "))")
        }
    }

    /// Asks the original to stop and waits until its peek says inactive; nil when it did.
    private func stopOriginal(_ target: PollTarget) -> String? {
        let stop = run(target, AgentRunnerCommand.verb(["stop", "--json"], target.settings))
        guard stop.text != nil else { return "the original's stop failed: \(stop.error)" }
        return waitForService(target, active: false, within: .seconds(settings.stopTimeoutS))
            .map { "the original still runs after \(Int(settings.stopTimeoutS))s (its round in flight): \($0)" }
    }

    /// Peeks every poll interval until the service's `active` is `active`; nil when it got there.
    private func waitForService(_ target: PollTarget, active: Bool, within limit: Duration) -> String? {
        let deadline = effects.clock.now + limit
        var last = "no answer"
        while true {
            let peek = remote.runJSON(
                host: target.remote, argv: AgentRunnerCommand.verb(["peek", "--json"], target.settings),
                deadline: effects.clock.now + commandTimeout)
            if let state = peek.document?["service"]?["active"]?.boolValue {
                if state == active { return nil }
                last = "its peek says active: \(state)"
            } else {
                last = peek.result.errorMessage ?? "its peek has no service state"
            }
            if effects.clock.now + pollInterval > deadline { return last }
            effects.clock.sleep(for: pollInterval)
        }
    }

    // MARK: restoring

    /// Puts the original back as `record` says it was: the config and its backups byte for
    /// byte, whatever serve runs stopped (through the original's own `stop`, then `kill`), the
    /// unit files with their enabled and active state, our link and build removed when they were
    /// new, the pid-file serve started again with its command line, directory and environment;
    /// then checks through the original's peek. Before the original was stopped, only our
    /// build is removed. Idempotent: a second restore finds everything in place.
    public func restore(_ host: MonitoredHost, _ record: MigrationRecord) -> Restore {
        let target = host.target
        let buildDir = versionsDir + "/" + self.target
        let removable = [record.serveUnit, record.monitorUnit].filter { name in
            !record.units.contains { $0.name == name }
        }
        guard record.step >= .stopping else {
            let cleaned = run(
                target,
                MigrationScripts.argv(
                    MigrationScripts.restoreUnits,
                    [
                        record.backupDir, link, record.linkExisted ? "1" : "0",
                        buildDir, "--",
                    ]))
            guard cleaned.text != nil else {
                return Restore(ok: false, note: "could not remove our build: \(cleaned.error)")
            }
            return Restore(ok: true, note: "the original was not stopped; our build removed")
        }
        let config = run(
            target, MigrationScripts.argv(MigrationScripts.restoreConfig, [record.backupDir, self.config(target)]))
        guard let configText = config.text else {
            return Restore(ok: false, note: "could not restore the config: \(config.error)")
        }
        let sha = configText.split(separator: "\n").first { $0.hasPrefix("config_sha256=") }?.dropFirst(14)
        var notes = [
            sha.map(String.init) == record.configSHA256
                ? "config restored (sha256 as before)"
                : "CONFIG DIFFERS from the backup (\(sha ?? "?"))"
        ]

        if let still = stopAnyServe(target) { return Restore(ok: false, note: "serve would not stop: \(still)") }
        let units = record.units.map { "\($0.name) \($0.enabled) \($0.active)" }
        let restored = run(
            target,
            MigrationScripts.argv(
                MigrationScripts.restoreUnits,
                [record.backupDir, link, record.linkExisted ? "1" : "0", buildDir]
                    + units + ["--"] + removable))
        guard restored.text != nil else {
            return Restore(ok: false, note: "could not restore the units: \(restored.error)")
        }
        for unit in record.units {
            let state = run(
                target,
                MigrationScripts.argv(MigrationScripts.restoreUnitState, [unit.name, unit.enabled, unit.active]))
            guard let text = state.text else {
                return Restore(ok: false, note: "could not restore \(unit.name): \(state.error)")
            }
            notes.append(text.trimmedText)
        }
        if record.mode == .pidFile && record.serviceActive, let line = record.serveCommandLine,
            let executable = line.first
        {
            let started = run(
                target,
                MigrationScripts.argv(MigrationScripts.launch, [record.backupDir, executable] + line.dropFirst()))
            guard started.text != nil else {
                return Restore(ok: false, note: "could not start the original's serve: \(started.error)")
            }
            notes.append("serve started as before: \(line.joined(separator: " "))")
        }
        if record.serviceActive, let failure = waitForService(target, active: true, within: .seconds(30)) {
            return Restore(
                ok: false, note: notes.joined(separator: "; ") + "; but the original is not running: \(failure)")
        }
        let ok = notes.first?.hasPrefix("config restored") ?? false
        return Restore(ok: ok, note: "original back: " + notes.joined(separator: "; "))
    }

    /// Stops whatever serve runs in the project through the original's own verbs (they read
    /// our serve.pid too, and our unit has the original's unit name): `stop`, a wait, then `kill`.
    private func stopAnyServe(_ target: PollTarget) -> String? {
        let stop = run(target, AgentRunnerCommand.verb(["stop", "--json"], target.settings))
        guard stop.text != nil else { return "the original's stop failed: \(stop.error)" }
        guard let still = waitForService(target, active: false, within: .seconds(settings.stopTimeoutS)) else {
            return nil
        }
        let kill = run(target, AgentRunnerCommand.verb(["kill", "--json"], target.settings))
        guard kill.text != nil else { return "\(still); the original's kill failed: \(kill.error)" }
        return waitForService(target, active: false, within: .seconds(15))
    }

    // MARK: calls

    /// The config path as the remote sees it.
    private func config(_ target: PollTarget) -> String {
        AgentRunnerCommand.remotePath(target.settings.remoteConfig ?? "agent-runner.toml")
    }

    private struct Answer {
        var text: String?
        var error: String
    }

    private func run(_ target: PollTarget, _ argv: [String], stdin: [UInt8]? = nil) -> Answer {
        let result = remote.run(
            host: target.remote, argv: argv, stdin: stdin, deadline: effects.clock.now + commandTimeout)
        if case .ok(let stdout) = result.outcome {
            return Answer(text: String(decoding: stdout, as: UTF8.self), error: "")
        }
        return Answer(text: nil, error: result.errorMessage ?? result.outcome.category)
    }
}

extension String {
    /// Without leading and trailing whitespace and newlines: one remote line as printed.
    var trimmedText: String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
