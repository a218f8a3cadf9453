import FleetCore

/// The orchestrated path: the service is stopped, the new build smoke-checked, switched in and
/// started, and confirmed up after the settle time; any failure switches back and starts the
/// old build (the rollback), and a failed rollback says loudly what the operator must do.
extension Upgrader {
    /// One orchestrated attempt: what the rollback and the events say about it.
    struct Attempt {
        var candidate: Candidate
        var from: String
        var path: Path
        /// When the service was about to be stopped: `duration_s` counts from here.
        var started: ContinuousClock.Instant

        var attempted: String { candidate.version }
    }

    func orchestrated(
        _ candidate: Candidate, from: String, path: Path, state: inout State
    )
        throws(LifecycleError) -> Outcome
    {
        guard let controller else {
            throw LifecycleError("internal error: no service controller", exitCode: ExitCode.software)
        }
        let attempt = Attempt(candidate: candidate, from: from, path: path, started: effects.clock.now)
        var record = newRecord(candidate, from: from, path: path, restartsService: true)
        try store.writeUpgradeRecord(record)
        do {
            try controller.stop()
        } catch {
            store.removeUpgradeRecord()
            throw LifecycleError(
                "could not stop the service (\(error.message)); nothing was switched, "
                    + "\(store.binLink) still runs \(from)")
        }
        let checks = UpgradeSmoke.projectCheckArguments(configPath: controller.paths.configPath).dropFirst(2)
        say("smoke check (--version + \(checks.joined(separator: " ")))...")
        do {
            try smoke.check(
                binary: candidate.binary, expected: candidate.version,
                configPath: controller.paths.configPath)
        } catch {
            say("smoke failed at \(candidate.version): \(error.message)")
            mark(&record, .rollingBack)
            discard(candidate, state: &state)
            return rollBack(attempt, reason: error.message, switched: false)
        }
        say("smoke OK (now at \(candidate.version))")
        do {
            try store.switchLink(to: candidate.version)
        } catch {
            mark(&record, .rollingBack)
            return rollBack(attempt, reason: error.message, switched: false)
        }
        mark(&record, .switched)
        return try startNewBuild(attempt, controller: controller, record: &record, state: &state)
    }

    /// bin_link runs the new build: start the service on it and confirm, then commit; or report
    /// `upgrade_start_failed` and roll back.
    private func startNewBuild(
        _ attempt: Attempt, controller: ServiceController, record: inout UpgradeRecord,
        state: inout State
    ) throws(LifecycleError) -> Outcome {
        say("starting service...")
        let startClock = effects.clock.now
        do {
            try startAndConfirm(controller, executable: store.binLink)
        } catch {
            let unit = controller.paths.serveUnitName
            let remedy =
                attempt.path == .systemdUser
                ? "systemctl --user status \(unit)" : "tail -n 50 \(controller.paths.serveLogPath)"
            events?.emit(UpgradeStartFailed(toVersion: attempt.attempted, failureReason: error.message, remedy: remedy))
            say("upgraded to \(attempt.attempted) but the service did not start (\(error.message)); inspect: \(remedy)")
            mark(&record, .rollingBack)
            let reason = "service did not start on \(attempt.attempted): \(error.message)"
            let outcome = rollBack(attempt, reason: reason, switched: true)
            if outcome.kind == .rolledBack { discard(attempt.candidate, state: &state) }
            return outcome
        }
        say("started (\((effects.clock.now - startClock).shortText))")
        try commit(attempt.attempted, from: attempt.from, state: &state)
        store.removeUpgradeRecord()
        let total = effects.clock.now - attempt.started
        events?.emit(ServiceUpgraded(fromVersion: attempt.from, toVersion: attempt.attempted, duration: total))
        say("upgraded \(attempt.from) → \(attempt.attempted) (\(total.shortText) total)")
        return Outcome(
            kind: .serviceUpgraded, path: attempt.path, fromVersion: attempt.from,
            toVersion: attempt.attempted, exitCode: ExitCode.success)
    }

    /// The safety net: back to `from` (link and service), `service_upgrade_rolled_back` (exit 1);
    /// when even that fails, `service_upgrade_rollback_failed` and a loud message (exit 2).
    private func rollBack(_ attempt: Attempt, reason: String, switched: Bool) -> Outcome {
        let from = attempt.from
        guard let controller else {
            return Outcome(
                kind: .rollbackFailed, path: attempt.path, fromVersion: from, toVersion: attempt.attempted,
                exitCode: 2)
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
            return rollbackFailed(attempt, failure: "\(reason); rollback: \(error.message)", controller: controller)
        }
        store.removeUpgradeRecord()
        events?.emit(
            ServiceUpgradeRolledBack(
                attemptedVersion: attempt.attempted, restoredVersion: from,
                failureReason: reason, duration: effects.clock.now - attempt.started))
        say("upgrade \(from) → \(attempt.attempted) failed; restored \(from) (service running)")
        return Outcome(
            kind: .rolledBack, path: attempt.path, fromVersion: from, toVersion: attempt.attempted,
            exitCode: ExitCode.failure)
    }

    /// The service is stopped and neither build runs it: the record stays for the next run.
    private func rollbackFailed(_ attempt: Attempt, failure: String, controller: ServiceController) -> Outcome {
        let from = attempt.from
        events?.emit(
            ServiceUpgradeRollbackFailed(
                attemptedVersion: attempt.attempted, restoreTargetVersion: from,
                failureReason: failure))
        let start =
            attempt.path == .systemdUser
            ? "systemctl --user restart \(controller.paths.serveUnitName)"
            : "agent-runner start --config \(controller.paths.configPath)"
        say(
            "CRITICAL: upgrade rollback failed; the service is STOPPED. Manual intervention required: check "
                + "\(store.binLink) points at \(store.binaryPath(from)), then: \(start); or run 'agent-runner upgrade "
                + "--rollback' again once the cause is fixed (\(store.upgradeRecordPath) says where this one stopped). "
                + "(\(failure))")
        return Outcome(
            kind: .rollbackFailed, path: attempt.path, fromVersion: from, toVersion: attempt.attempted,
            exitCode: 2)
    }

    /// Starts the service and requires it to still be up after the settle time.
    func startAndConfirm(_ controller: ServiceController, executable: String) throws(LifecycleError) {
        let state = try controller.start(executable: executable)
        waitToSettle()
        let after = controller.detector.detect()
        guard after.active else {
            let tail = effects.fileSystem.tail(of: controller.paths.serveLogPath, bytes: 600)
            let log = String(decoding: tail, as: UTF8.self).trimmedLines
            let pid = state.servePID.map { ", pid \($0)" } ?? ""
            throw LifecycleError(
                "it exited within \(settle.components.seconds) s of starting "
                    + "(mode \(after.mode.rawValue)\(pid))\(log.isEmpty ? "" : "; serve.log: " + log)")
        }
    }

    /// Waits the settle time out on the clock (a signal that ends a sleep early does not cut it).
    func waitToSettle() {
        effects.clock.sleep(until: effects.clock.now + settle, tick: settle) { false }
    }
}
