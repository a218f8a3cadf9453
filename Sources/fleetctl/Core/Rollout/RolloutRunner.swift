import FleetCore
import Monitoring
import SSHTransport
import Synchronization

/// Carries out a rollout recorded in a ``RolloutJournal``, stage by stage: push the build to
/// each host of the stage (`agent-runner upgrade --from - --sha256 HEX --target V --json`, at most
/// `parallel` at once), then hold the stage's hosts to the ``HealthGate`` for the bake time. A
/// failed gate or more than `maxFailures` failed hosts stops the rollout, and the hosts it touched
/// are rolled back once (`agent-runner upgrade --rollback --json`). The journal is saved after
/// every step, so a killed fleetctl can `--resume` (each host re-checked) or `--abort`.
///
/// Every wait (the bake, the pause between health samples) and every deadline is on the
/// effects' monotonic clock: on a fake clock with a scripted remote executor a test runs a
/// whole rollout, bakes included, in milliseconds and asserts when each host was probed.
public final class RolloutRunner: Sendable {
    public struct Options: Sendable {
        public var parallel = 8
        /// Time between health samples during a bake.
        public var gateInterval: Duration = .seconds(5)
        /// Deadline of one remote upgrade or rollback (stop, smoke, start, settle).
        public var commandTimeout: Duration = .seconds(300)
        public init(parallel: Int = 8, gateInterval: Duration = .seconds(5), commandTimeout: Duration = .seconds(300)) {
            self.parallel = parallel
            self.gateInterval = gateInterval
            self.commandTimeout = commandTimeout
        }
    }

    private let hosts: [String: MonitoredHost]
    private let remote: any RemoteExecutor
    private let effects: Effects
    private let store: RolloutJournalStore
    private let reporter: RolloutReporter
    private let artifacts: RolloutArtifactSource?
    private let options: Options
    /// The rollout's id, fixed for its life: read by the worker threads without the lock.
    private let id: String
    /// The journal, changed by the worker threads (one per host) and saved after each change.
    private let state: Mutex<RolloutJournal>
    /// A migration's steps (``RolloutJournal/Kind/migration``); nil for an upgrade.
    private let migration: MigrationSteps?

    public init(
        journal: RolloutJournal, hosts: [MonitoredHost], remote: any RemoteExecutor, effects: Effects,
        store: RolloutJournalStore, reporter: RolloutReporter, artifacts: RolloutArtifactSource?,
        options: Options = Options()
    ) {
        id = journal.id
        state = Mutex(journal)
        self.hosts = Dictionary(hosts.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.remote = remote
        self.effects = effects
        self.store = store
        self.reporter = reporter
        self.artifacts = artifacts
        self.options = options
        migration =
            journal.kind == .migration
            ? MigrationSteps(
                remote: remote, effects: effects,
                settings: journal.settings.migration ?? MigrationSettings(), rollout: journal.id,
                target: journal.target, commandTimeout: options.commandTimeout,
                pollInterval: options.gateInterval)
            : nil
    }

    public var journal: RolloutJournal { state.withLock { $0 } }

    /// `agent-runner upgrade --from - --sha256 HEX --target V --json [--config PATH]`.
    public static func upgradeCommand(_ target: PollTarget, artifact: RolloutArtifact) -> [String] {
        let words = ["upgrade", "--from", "-", "--sha256", artifact.sha256, "--target", artifact.version, "--json"]
        return AgentRunnerCommand.verb(words, target.settings)
    }

    /// What a host's `agent-runner upgrade` said when it refused because its agent-runner is the
    /// Debian package's (`PATH is installed by the Debian package agent-runner V: ...` on stderr):
    /// `PATH from the Debian package agent-runner V`, or nil for any other failure.
    static func packagedRefusal(_ stderr: String) -> String? {
        let marker = " is installed by the Debian package agent-runner"
        guard let found = stderr.firstRange(of: marker) else { return nil }
        let path = stderr[..<found.lowerBound].split(separator: " ").last.map(String.init) ?? "/usr/bin/agent-runner"
        let version = stderr[found.upperBound...].prefix { $0 != ":" }
        return "\(path), from the Debian package agent-runner\(version)"
    }

    /// `agent-runner upgrade --rollback --json [--config PATH]`.
    public static func rollbackCommand(_ target: PollTarget) -> [String] {
        AgentRunnerCommand.verb(["upgrade", "--rollback", "--json"], target.settings)
    }

    /// Records and saves; a journal that cannot be written is reported (the rollout goes on: the
    /// hosts' real state is what `--resume` trusts anyway).
    private func record(_ host: String, _ hostState: RolloutJournal.HostState, note: String? = nil) {
        update { $0.record(host, hostState, note: note) }
    }

    private func save(_ journal: RolloutJournal) {
        do {
            try store.save(journal)
        } catch {
            reporter.step("journal_error", rollout: journal.id, ["error": .string(error.message)], text: error.message)
        }
    }

    /// Changes the journal and saves it, under the lock: two hosts finishing at once must not
    /// save in the wrong order (the older journal last).
    private func update(_ change: (inout RolloutJournal) -> Void) {
        state.withLock { journal in
            change(&journal)
            save(journal)
        }
    }

    // MARK: running

    /// Runs the stages from the journal's current one. Returns the final journal (status
    /// finished, or failed after the rollback when one was due).
    public func run() -> RolloutJournal {
        let snapshot = journal
        while journal.currentStage < snapshot.stages.count {
            let index = journal.currentStage
            guard runStage(index) else {
                update { $0.status = .failed }
                if snapshot.settings.rollback { rollBack() }
                finish()
                return journal
            }
            let label = snapshot.stageLabels[index]
            let hosts = snapshot.stages[index]
            reporter.step(
                "stage_passed", RolloutStagePassed(rollout: id, stage: label, hosts: hosts),
                text: "\(label) passed its health gate (\(hosts.joined(separator: ", ")))")
            update { $0.currentStage = index + 1 }
        }
        update { $0.status = .finished }
        finish()
        return journal
    }

    private func finish() {
        let event = RolloutFinished(journal)
        let tally = event.hosts.keys.sorted().map { "\(event.hosts[$0] ?? 0) \($0)" }.joined(separator: ", ")
        reporter.step("finished", event, text: "rollout \(id) to \(event.target) \(event.status.rawValue): " + tally)
    }

    private func runStage(_ index: Int) -> Bool {
        let snapshot = journal
        let label = snapshot.stageLabels[index]
        let hosts = snapshot.stages[index]
        reporter.step(
            "stage_started", rollout: id, ["stage": .string(label), "hosts": .array(hosts.map(JSONValue.string))],
            text: "\(label): upgrading \(hosts.joined(separator: ", "))")
        let toUpgrade = hosts.filter { [.pending, .upgrading].contains(snapshot.hosts[$0] ?? .pending) }
        _ = WorkerPool.map(toUpgrade, parallel: options.parallel) { host in self.upgrade(host) }
        let failures = journal.failures
        let allowed = snapshot.settings.maxFailures
        if failures > allowed {
            reporter.step(
                "stopped", rollout: id,
                ["reason": .string("\(HumanText.count(failures, "failed host")), more than --max-failures \(allowed)")],
                text: "stopping: \(failures) failed host\(failures == 1 ? "" : "s"), "
                    + "more than --max-failures \(allowed)")
            return false
        }
        let gated = hosts.filter { [.upgraded, .healthy].contains(journal.hosts[$0] ?? .pending) }
        return gate(gated, label: label)
    }

    private func fail(_ host: String, _ reason: String, phase: String) {
        record(host, .failed, note: reason)
        reporter.step(
            "host_failed", RolloutHostFailed(rollout: id, host: host, phase: phase, reason: reason),
            text: "\(host): \(phase) failed: \(reason)")
    }

    private func upgrade(_ host: String) {
        guard let target = hosts[host]?.target else {
            return fail(host, "not in the inventory any more", phase: "upgrade")
        }
        record(host, .upgrading)
        let artifact: RolloutArtifact
        switch artifacts?.artifact(for: target) ?? .failure(RolloutError("no artifact")) {
        case .success(let value): artifact = value
        case .failure(let error): return fail(host, error.message, phase: "upgrade")
        }
        if let migration, let monitored = hosts[host] { return migrate(monitored, artifact: artifact, with: migration) }
        if journal.settings.method == .deb { return installPackage(host, target: target, artifact: artifact) }
        let result = remote.run(
            host: target.remote, argv: Self.upgradeCommand(target, artifact: artifact),
            stdin: artifact.bytes, deadline: effects.clock.now + options.commandTimeout)
        if case .sshFailure(let kind, _) = result.outcome, kind.commandNeverRan {
            let reason = result.errorMessage ?? kind.rawValue
            record(host, .unreached, note: reason)
            reporter.step(
                "host_failed", RolloutHostFailed(rollout: id, host: host, phase: "upgrade", reason: reason),
                text: "\(host): upgrade failed: \(reason) (not reached: nothing changed there)")
            return
        }
        let outcome = result.outcome.stdout.flatMap { try? JSONParser.strict.parse($0) }?["outcome"]?.stringValue
        if case .remoteFailure(_, let tail) = result.outcome, let said = Self.packagedRefusal(tail) {
            return fail(
                host,
                "its agent-runner is \(said), which agent-runner upgrade does not replace; nothing changed there. "
                    + "Push the .deb instead: set [upgrade] method = \"deb\" in the inventory and --artifact "
                    + "agent-runner_VERSION_ARCH.deb (it runs dpkg -i through sudo -n: allow that for the ssh user)",
                phase: "upgrade")
        }
        guard result.outcome.isOK, let outcome, ["service_upgraded", "package_upgraded", "unchanged"].contains(outcome)
        else {
            let reason = result.errorMessage ?? "agent-runner upgrade ended with \(outcome ?? result.outcome.category)"
            return fail(host, reason, phase: "upgrade")
        }
        record(host, .upgraded, note: outcome)
        reporter.step(
            "host_upgraded", rollout: id,
            ["host": .string(host), "outcome": .string(outcome), "version": .string(artifact.version)],
            text: "\(host): upgraded to \(artifact.version) (\(outcome))")
    }

    /// `[upgrade] method = "deb"`: the package on stdin of ``UpgradeMethod/installCommand(sha256:)``
    /// (dpkg -i as root), then `agent-runner restart` when the host's service ran before, so serve
    /// runs the new build.
    private func installPackage(_ host: String, target: PollTarget, artifact: RolloutArtifact) {
        let result = remote.run(
            host: target.remote, argv: UpgradeMethod.installCommand(sha256: artifact.sha256), stdin: artifact.bytes,
            deadline: effects.clock.now + options.commandTimeout)
        if case .sshFailure(let kind, _) = result.outcome, kind.commandNeverRan {
            let reason = result.errorMessage ?? kind.rawValue
            record(host, .unreached, note: reason)
            reporter.step(
                "host_failed", RolloutHostFailed(rollout: id, host: host, phase: "upgrade", reason: reason),
                text: "\(host): upgrade failed: \(reason) (not reached: nothing changed there)")
            return
        }
        guard result.outcome.isOK else {
            let why = result.errorMessage ?? result.outcome.category
            return fail(host, "dpkg -i of \(artifact.path) failed: \(why)", phase: "upgrade")
        }
        var outcome = "deb_installed"
        if journal.serviceActiveBefore[host] == true {
            let restart = remote.run(
                host: target.remote, argv: AgentRunnerCommand.verb(["restart", "--json"], target.settings),
                deadline: effects.clock.now + options.commandTimeout)
            guard restart.outcome.isOK else {
                let why = restart.errorMessage ?? restart.outcome.category
                return fail(host, "the package is installed but agent-runner restart failed: \(why)", phase: "upgrade")
            }
            outcome = "deb_installed_restarted"
        }
        record(host, .upgraded, note: outcome)
        reporter.step(
            "host_upgraded", rollout: id,
            ["host": .string(host), "outcome": .string(outcome), "version": .string(artifact.version)],
            text: "\(host): upgraded to \(artifact.version) (\(outcome))")
    }

    /// One host's migration (``MigrationSteps``): its restore record is journaled before each
    /// step; a host that failed was restored at once, which its note says.
    private func migrate(_ host: MonitoredHost, artifact: RolloutArtifact, with steps: MigrationSteps) {
        let name = host.name
        let outcome = steps.migrate(host, artifact: artifact) { record in update { $0.migrations[name] = record } }
        switch outcome {
        case .migrated(let note):
            record(name, .upgraded, note: note)
            reporter.step(
                "host_upgraded", rollout: id,
                ["host": .string(name), "outcome": "migrated", "version": .string(artifact.version)],
                text: "\(name): migrated to \(artifact.version) (\(note))")
        case .unreached(let reason):
            record(name, .unreached, note: reason)
            reporter.step(
                "host_failed", RolloutHostFailed(rollout: id, host: name, phase: "migrate", reason: reason),
                text: "\(name): migration failed: \(reason) (not reached: nothing changed there)")
        case .failed(let phase, let reason, let restored):
            if let restored, restored.ok { update { $0.migrations[name]?.restored = true } }
            fail(name, reason + (restored.map { "; \($0.note)" } ?? ""), phase: phase)
        }
    }

    /// Samples every host until each is healthy after the bake, or one is unhealthy: a sample
    /// every `gateInterval` from the start of the bake, and one more at its end.
    private func gate(_ hosts: [String], label: String) -> Bool {
        guard !hosts.isEmpty else { return true }
        let snapshot = journal
        let healthGate = HealthGate(target: snapshot.target)
        let bake = Duration.milliseconds(Int64(snapshot.settings.bakeS * 1000))
        reporter.step(
            "gate_started", rollout: id, ["stage": .string(label), "bake_s": .double(snapshot.settings.bakeS)],
            text: "\(label): health gate for \(bake.shortText) on \(hosts.joined(separator: ", "))")
        let clock = effects.clock
        let started = clock.now
        var samples: [String: [HealthSample]] = [:]
        var waiting = hosts
        while true {
            let bakeOver = clock.now - started >= bake
            let answers = probe(waiting)
            var stillWaiting: [String] = []
            for (host, answer) in zip(waiting, answers) {
                let sample = RolloutHostProbe.sample(
                    answer, serviceRequired: snapshot.serviceActiveBefore[host] ?? true,
                    criticalBefore: snapshot.criticalBefore[host] ?? [])
                samples[host, default: []].append(sample)
                switch healthGate.evaluate(samples[host] ?? [], bakeOver: bakeOver, roundBefore: nil) {
                case .healthy:
                    record(host, .healthy)
                case .unhealthy(let reason):
                    fail(host, reason, phase: "health gate")
                    return false
                case .pending:
                    stillWaiting.append(host)
                }
            }
            waiting = stillWaiting
            if waiting.isEmpty { return true }
            let next = clock.now + options.gateInterval
            let bakeEnd = started + bake
            wait(until: bakeOver || next < bakeEnd ? next : bakeEnd)
        }
    }

    /// Sleeps on the clock until `deadline`, whatever wakes it early (a signal).
    private func wait(until deadline: ContinuousClock.Instant) {
        while effects.clock.now < deadline { effects.clock.sleep(until: deadline) }
    }

    /// One probe of each host, at most `parallel` at once; answers in `hosts` order.
    private func probe(_ hosts: [String]) -> [RolloutHostProbe.Answer] {
        WorkerPool.map(hosts, parallel: options.parallel) { host in
            guard let monitored = self.hosts[host] else {
                return .init(reachable: false, error: "not in the inventory")
            }
            return self.probe(monitored)
        }
    }

    /// A migrated host answers through our link, an upgraded one through the inventory's command.
    private func probe(_ host: MonitoredHost) -> RolloutHostProbe.Answer {
        RolloutHostProbe.probe(migration?.ours(host) ?? host, remote: remote, effects: effects)
    }

    // MARK: resume, rollback

    /// Re-checks every host of the stages begun so far: a host of the current stage already on
    /// the target counts as upgraded (its gate runs again), any other goes back to pending.
    public func reconcile() {
        if let migration { return reconcileMigration(migration) }
        let snapshot = journal
        let begun = snapshot.stages.prefix(snapshot.currentStage + 1).flatMap { $0 }
        let current = Set(snapshot.currentStage < snapshot.stages.count ? snapshot.stages[snapshot.currentStage] : [])
        let answers = probe(begun)
        for (host, answer) in zip(begun, answers) {
            let onTarget = answer.version == snapshot.target && !answer.upgradeInProgress
            let was = snapshot.hosts[host] ?? .pending
            let version = answer.version.map(JSONValue.string) ?? .null
            if current.contains(host) {
                guard answer.reachable else { continue }
                if [.pending, .upgrading, .upgraded, .healthy, .unreached].contains(was) {
                    record(host, onTarget ? .upgraded : .pending)
                }
            } else if was == .healthy && answer.reachable && !onTarget {
                reporter.step(
                    "drift", rollout: id, ["host": .string(host), "version": version],
                    text: "\(host): passed its stage but now reports \(answer.version ?? "no version"), "
                        + "not \(snapshot.target); left as is")
            }
            let seen = answer.reachable ? "on \(answer.version ?? "?")" : "unreachable (\(answer.error ?? "no answer"))"
            reporter.step(
                "rechecked", rollout: id,
                ["host": .string(host), "reachable": .bool(answer.reachable), "version": version],
                text: "\(host): re-checked: \(seen)")
        }
    }

    /// Rolls back, once, every host this rollout touched that really runs the target now; a
    /// host already back on its old build (agent-runner restored it) is only recorded.
    public func rollBack() {
        let snapshot = journal
        // A migration changed nothing on a host it holds no restore record of (it failed while reading it).
        let touched = snapshot.touched.filter { migration == nil || snapshot.migrations[$0] != nil }
        guard !touched.isEmpty else { return }
        reporter.step(
            "rolling_back", rollout: id, ["hosts": .array(touched.map(JSONValue.string))],
            text: "rolling back \(touched.joined(separator: ", "))")
        _ = WorkerPool.map(touched, parallel: options.parallel) { host in
            self.rollBack(host, serviceWasActive: snapshot.serviceActiveBefore[host] ?? false)
        }
    }

    private func rollBack(_ host: String, serviceWasActive: Bool) {
        let target = journal.target
        func report(_ ok: Bool, _ note: String) {
            record(host, ok ? .rolledBack : .rollbackFailed, note: note)
            reporter.step(
                "rolled_back", RolloutRolledBack(rollout: id, host: host, ok: ok, note: note),
                text: "\(host): \(ok ? "rolled back" : "ROLLBACK FAILED"): \(note)")
        }
        guard let monitored = hosts[host] else { return report(false, "not in the inventory any more") }
        if let migration {
            let restored = restore(monitored, with: migration)
            return report(restored.ok, restored.note)
        }
        let remote = monitored.target
        let before = probe(monitored)
        guard before.reachable else {
            return report(false, "could not be reached to roll back: \(before.error ?? "no answer")")
        }
        if before.version != target {
            return report(true, "already on \(before.version ?? "?"), not \(target): nothing to roll back")
        }
        if journal.settings.method == .deb {
            return report(
                false,
                "installed from a .deb, which fleetctl cannot roll back (it has no older package): install the "
                    + "previous one there (sudo dpkg -i agent-runner_OLD_ARCH.deb)")
        }
        let result = self.remote.run(
            host: remote.remote, argv: Self.rollbackCommand(remote),
            deadline: effects.clock.now + options.commandTimeout)
        guard result.outcome.isOK else {
            return report(
                false, "agent-runner upgrade --rollback failed: \(result.errorMessage ?? result.outcome.category)")
        }
        let after = probe(monitored)
        var note = "back on \(after.version ?? "?")"
        if serviceWasActive && after.reachable && after.serviceActive != true {
            let argv = AgentRunnerCommand.verb(["start", "--json"], remote.settings)
            let start = self.remote.run(
                host: remote.remote, argv: argv, deadline: effects.clock.now + options.commandTimeout)
            guard start.outcome.isOK else {
                return report(
                    false, note + ", but its service did not start: \(start.errorMessage ?? start.outcome.category)")
            }
            note += ", service started again"
        }
        report(true, note)
    }

    /// Puts the original back on a host this migration touched, once: a host already restored
    /// (at its failure) is left alone, so its original is not stopped and started again.
    private func restore(_ host: MonitoredHost, with steps: MigrationSteps) -> MigrationSteps.Restore {
        guard let record = journal.migrations[host.name] else {
            return .init(ok: true, note: "nothing there was changed (no restore record)")
        }
        if record.restored { return .init(ok: true, note: "the original was restored when its migration failed") }
        let restored = steps.restore(host, record)
        if restored.ok { update { $0.migrations[host.name]?.restored = true } }
        return restored
    }

    /// `--resume` of a migration: a host of the current stage that a killed fleetctl left mid-way
    /// is restored and migrated again; one whose link answers with the target counts as migrated
    /// (its gate runs again); one that answers otherwise is restored and migrated again.
    private func reconcileMigration(_ steps: MigrationSteps) {
        let snapshot = journal
        guard snapshot.currentStage < snapshot.stages.count else { return }
        for host in snapshot.stages[snapshot.currentStage] {
            guard let monitored = hosts[host] else { continue }
            let was = snapshot.hosts[host] ?? .pending
            guard [.upgrading, .upgraded, .healthy, .unreached].contains(was) else { continue }
            let ours = probe(monitored)
            var seen =
                ours.reachable
                ? "answers \(ours.version ?? "no version") through \(steps.settings.link)"
                : "not through \(steps.settings.link) (\(ours.error ?? "no answer"))"
            if ours.version == snapshot.target && was != .upgrading {
                record(host, .upgraded)
            } else if snapshot.migrations[host] != nil {
                let restored = restore(monitored, with: steps)
                guard restored.ok else {
                    record(host, .rollbackFailed, note: restored.note)
                    reporter.step(
                        "rechecked", rollout: id, ["host": .string(host), "restored": false],
                        text: "\(host): re-checked: \(seen); RESTORE FAILED: \(restored.note)")
                    continue
                }
                update { journal in
                    journal.migrations[host] = nil
                    journal.record(host, .pending, note: restored.note)
                }
                seen += "; \(restored.note); it is migrated again"
            } else {
                record(host, .pending)
            }
            let version = ours.version.map(JSONValue.string) ?? .null
            reporter.step(
                "rechecked", rollout: id, ["host": .string(host), "version": version],
                text: "\(host): re-checked: \(seen)")
        }
    }

    /// `--abort`: rolls back what the rollout touched and marks it aborted.
    public func abort() -> RolloutJournal {
        rollBack()
        update { $0.status = .aborted }
        finish()
        return journal
    }
}
