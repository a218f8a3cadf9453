import FleetCore

/// Finishing or undoing an upgrade that was cut short, from the ``UpgradeRecord`` it left.
extension Upgrader {
    struct Recovery {
        var record: UpgradeRecord
        /// What was done: `.finish` only when the new build passed again.
        var action: UpgradeRecovery
    }

    /// Brings an interrupted upgrade to an end before anything else (the caller holds the
    /// lock, so its writer is dead): finished when bin_link already runs the new build and it
    /// passes the smoke check and the service comes up on it; otherwise back on the old build,
    /// with the service started on it if the upgrade had stopped it. Returns nil when no
    /// upgrade was interrupted. Throws (exit 2) when the old build cannot be started again;
    /// the record then stays for the next run.
    func recoverInterruptedUpgrade(_ state: inout VersionStore.State) throws(LifecycleError) -> Recovery? {
        guard let record = try store.readUpgradeRecord() else { return nil }
        let linked = store.linkedVersion()
        var action = UpgradeRecovery.plan(
            record, linkedVersion: linked, currentVersion: state.current,
            isInstalled: store.isInstalled)
        say(
            "an upgrade \(record.fromVersion) → \(record.toVersion) was interrupted (pid \(record.pid), started "
                + "\(record.startedAt), at step '\(record.step.rawValue)'; \(store.binLink) runs "
                + "\(linked ?? "no installed version")); bringing it to an end first")
        switch action {
        case .completed:
            say("it had completed: \(record.toVersion) is current")
        case .finish:
            do {
                try finishInterrupted(record, state: &state)
            } catch {
                say("\(record.toVersion) does not pass now (\(error.message)); going back to \(record.fromVersion)")
                let switchLink = store.isInstalled(record.fromVersion)
                action = .restore(switchLink: switchLink)
                try restoreInterrupted(record, switchLink: switchLink, state: &state)
            }
        case .restore(let switchLink):
            try restoreInterrupted(record, switchLink: switchLink, state: &state)
        }
        store.removeUpgradeRecord()
        events?.emit(UpgradeRecovered(record: record, action: action))
        return Recovery(record: record, action: action)
    }

    /// What the interrupted upgrade had left to do: smoke, service up on the new build, commit.
    private func finishInterrupted(
        _ record: UpgradeRecord, state: inout VersionStore.State
    )
        throws(LifecycleError)
    {
        say("finishing it: smoke check of \(record.toVersion)...")
        try smoke.check(
            binary: store.binaryPath(record.toVersion), expected: record.toVersion,
            configPath: config?.configPath)
        var service = ""
        if record.restartsService {
            guard let controller else {
                throw LifecycleError("no agent-runner.toml here to find the service by; pass --config")
            }
            if controller.detector.detect().active {
                // Started after the switch (by the interrupted upgrade or a boot): confirm it stays up.
                waitToSettle()
                guard controller.detector.detect().active else {
                    throw LifecycleError(
                        "the service on \(record.toVersion) exited within "
                            + "\(settle.components.seconds) s")
                }
            } else {
                try startAndConfirm(controller, executable: store.binLink)
            }
            service = ", service running on it"
        }
        try commit(record.toVersion, from: record.fromVersion, state: &state)
        say(
            "finished the upgrade \(record.fromVersion) → \(record.toVersion) (smoke OK\(service)); "
                + "\(record.toVersion) is current")
    }

    /// Back to the old build: the link, state.json, and the service (restarted when it runs the
    /// new build, started when the upgrade had stopped it). A build known to be bad (the upgrade
    /// was rolling back) is removed when this upgrade installed it.
    private func restoreInterrupted(
        _ record: UpgradeRecord, switchLink: Bool, state: inout VersionStore.State
    )
        throws(LifecycleError)
    {
        let from = record.fromVersion
        do throws(LifecycleError) {
            if switchLink { try store.switchLink(to: from) }
            if state.current != from && store.isInstalled(from) {
                state.current = from
                try store.writeState(state)
            }
            let service = try restartOnOldBuild(record, switchedLink: switchLink)
            if record.step == .rollingBack && record.newlyInstalled && store.linkedVersion() != record.toVersion
                && state.current != record.toVersion && state.previous != record.toVersion
            {
                store.removeBuild(store.binaryPath(record.toVersion))
                state.versions.removeAll { $0.version == record.toVersion }
                try? store.writeState(state)
            }
            say("restored \(from): \(store.binLink) → \(store.binaryPath(from))\(service)")
        } catch {
            throw LifecycleError(
                "CRITICAL: could not restore \(from) after the interrupted upgrade to "
                    + "\(record.toVersion): \(error.message). Check \(store.binLink) points at "
                    + "\(store.binaryPath(from)) and start the service; \(store.upgradeRecordPath) stays, "
                    + "so the next 'agent-runner upgrade' tries again", exitCode: 2)
        }
    }

    /// The service on the restored build, when the interrupted upgrade had restarted it; returns
    /// what was done, for the message.
    private func restartOnOldBuild(_ record: UpgradeRecord, switchedLink: Bool) throws(LifecycleError) -> String {
        guard record.restartsService else { return "" }
        guard let controller else { return "; restart the service yourself (no agent-runner.toml here to find it by)" }
        let running = controller.detector.detect().active
        if running && switchedLink {
            try controller.stop()
            try startAndConfirm(controller, executable: store.binLink)
            return "; service restarted on it"
        }
        if !running {
            try startAndConfirm(controller, executable: store.binLink)
            return "; service started on it"
        }
        return "; service running"
    }
}
