import FleetCore

/// The build to switch to, and how the upgrader gets it: read and verified (`--from`), taken
/// from versions_dir (`--target`, `--rollback`), downloaded from `[upgrade] source` (no flags,
/// or a `--target` not installed), and the running build adopted first so there is always one
/// to go back to.
extension Upgrader {
    struct Candidate {
        var version: String
        var binary: String
        /// Installed by this run: removed again when it fails, so a bad build does not linger.
        var newlyInstalled = false
    }

    /// A new build's bytes, their digest, and where they came from (for messages).
    struct SourceBytes {
        var bytes: [UInt8]
        var sha256: String
        var label: String
    }

    typealias State = VersionStore.State

    /// The bytes of `--from`, verified against `--sha256` before anything else happens.
    func readSource(_ source: Source, sha256 expected: String?) throws(LifecycleError) -> SourceBytes {
        let bytes: [UInt8]
        let label: String
        switch source {
        case .standardInput:
            bytes = try readStandardInput()
            label = "standard input"
        case .file(let path):
            do {
                bytes = try store.readBinary(path)
            } catch {
                throw LifecycleError("cannot read \(path): \(error.reason)")
            }
            label = path
        }
        guard !bytes.isEmpty else { throw LifecycleError("the binary from \(label) is empty; nothing changed") }
        let digest = SHA256.hex(of: bytes)
        if let expected, expected.lowercased() != digest {
            throw LifecycleError(
                "sha256 mismatch for the binary from \(label): expected \(expected.lowercased()), "
                    + "got \(digest) (\(bytes.count) bytes); refused, nothing changed")
        }
        return SourceBytes(bytes: bytes, sha256: digest, label: label)
    }

    func prepareCandidate(_ intent: Request.Intent, state: inout State) throws(LifecycleError) -> Candidate {
        switch intent {
        case .rollback:
            let current = store.linkedVersion() ?? state.current
            guard let previous = state.previous, previous != current, store.isInstalled(previous) else {
                throw LifecycleError(
                    "no previous version to roll back to (\(store.statePath) records previous: "
                        + "\(state.previous ?? "none")); use --target X.Y.Z with an installed version")
            }
            return Candidate(version: previous, binary: store.binaryPath(previous))
        case .switchTo(let target):
            if store.isInstalled(target) { return Candidate(version: target, binary: store.binaryPath(target)) }
            guard let release else {
                throw LifecycleError(
                    "version \(target) is not installed in \(store.versionsDir) and no --from was "
                        + "given; pass --from PATH|- with that build, or set [upgrade] source")
            }
            return try install(from: release, target: target, state: &state)
        case .latest:
            guard let release else { throw LifecycleError("no [upgrade] source to take the latest build from") }
            return try install(from: release, target: nil, state: &state)
        case .install(let source, let sha256, let target):
            let source = try readSource(source, sha256: sha256)
            return try install(source, target: target, state: &state)
        }
    }

    /// Stages the new build and installs it.
    private func install(
        _ source: SourceBytes, target: String?, state: inout State
    )
        throws(LifecycleError) -> Candidate
    {
        let staged = try store.stage(source.bytes)
        return try installStaged(
            staged, sha256: source.sha256, label: source.label,
            expected: target.map { ($0, "--target \($0)") }, state: &state)
    }

    /// Asks a staged build its version and installs it in versions_dir (or finds the same bytes
    /// already there). Removes what it staged when it refuses the build. `expected` is the
    /// version the build must report and how the operator asked for it, for the message.
    func installStaged(
        _ staged: String, sha256: String, label: String, expected: (version: String, asked: String)?,
        state: inout State
    ) throws(LifecycleError) -> Candidate {
        let version: String
        do {
            version = try smoke.version(of: staged)
        } catch {
            store.removeBuild(staged)
            throw LifecycleError("\(error.message); nothing changed")
        }
        if let expected, expected.version != version {
            store.removeBuild(staged)
            throw LifecycleError(
                "the binary from \(label) reports version \(version), not \(expected.asked); "
                    + "nothing changed")
        }
        if store.isInstalled(version) {
            store.removeBuild(staged)
            let installed = (try? store.readBinary(store.binaryPath(version))).map { SHA256.hex(of: $0) }
            guard installed == sha256 else {
                throw LifecycleError(
                    "version \(version) is already installed at \(store.binaryPath(version)) "
                        + "with different content (sha256 \(installed ?? "unreadable")); a build must "
                        + "not reuse a version number; nothing changed")
            }
            return Candidate(version: version, binary: store.binaryPath(version))
        }
        do {
            try store.install(staged: staged, as: version)
        } catch {
            store.removeBuild(staged)
            throw error
        }
        store.record(version, sha256: sha256, at: EventTimestamp.format(effects.wallClock.now()), in: &state)
        try store.writeState(state)
        say("staged \(version) (sha256 \(sha256.prefix(12))...) as \(store.binaryPath(version))")
        return Candidate(version: version, binary: store.binaryPath(version), newlyInstalled: true)
    }

    /// The first upgrade on a host finds bin_link missing, a plain file, or a link elsewhere:
    /// that build is copied into versions_dir first, so `--rollback` can return to it.
    func adoptRunningVersion(_ state: inout State) throws(LifecycleError) {
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
                bytes = try store.readBinary(source)
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
            let entry = VersionStore.Entry(
                version: version, sha256: SHA256.hex(of: bytes),
                installedAt: EventTimestamp.format(effects.wallClock.now()))
            state.versions.insert(entry, at: 0)
            say("kept the running build \(version) as \(store.binaryPath(version)) (for --rollback)")
        }
        if state.current == nil { state.current = version }
        try store.writeState(state)
    }

    /// Deletes a build this run installed and that failed, and forgets it in state.json.
    func discard(_ candidate: Candidate, state: inout State) {
        guard candidate.newlyInstalled, store.linkedVersion() != candidate.version else { return }
        store.removeBuild(candidate.binary)
        state.versions.removeAll { $0.version == candidate.version }
        try? store.writeState(state)
    }
}
