import FleetCore

/// A build from `[upgrade] source`: chosen from SHA256SUMS, streamed into a staging file while
/// it is hashed, refused unless it hashes to the listed sum and then reports the listed
/// version. Every refusal deletes what was staged and leaves versions_dir, state.json, bin_link
/// and the service as they were: one line, exit 1.
extension Upgrader {
    func install(
        from release: ReleaseSource, target: String?, state: inout State
    )
        throws(LifecycleError) -> Candidate
    {
        let build: ReleaseCatalog.Build
        do {
            build = try release.choose(target: target)
        } catch {
            throw error.lifecycleError
        }
        let version = build.version.text
        let sums = release.checksumsLocation.description
        let why = target == nil ? "the latest release \(sums) lists for \(release.arch)" : "listed in \(sums)"
        if store.isInstalled(version) {
            let installed = (try? store.readBinary(store.binaryPath(version))).map { SHA256.hex(of: $0) }
            guard installed == build.sha256 else {
                throw LifecycleError(
                    "version \(version) is already installed at \(store.binaryPath(version)) with "
                        + "sha256 \(installed ?? "unreadable"), but \(sums) lists \(build.sha256); a "
                        + "build must not reuse a version number; nothing changed")
            }
            say("\(version) (\(why)) is already in \(store.versionsDir) with the listed sha256; nothing to download")
            return Candidate(version: version, binary: store.binaryPath(version))
        }
        let location = release.location(of: build)
        say("downloading \(version) (\(why)) from \(location)...")
        let staging = try store.openStaging()
        let verified: VerifiedRelease
        do throws(ReleaseError) {
            verified = try release.download(build) { (piece) throws(ReleaseError) in
                do throws(LifecycleError) {
                    try staging.write(piece)
                } catch {
                    throw ReleaseError(.unwritable, error.message)
                }
            }
        } catch {
            staging.discard()
            throw error.lifecycleError
        }
        do {
            try staging.finish()
        } catch {
            staging.discard()
            throw LifecycleError("\(error.message); nothing changed")
        }
        say("downloaded \(Self.size(verified.byteCount)); sha256 matches \(sums)")
        return try installStaged(
            staging.path, sha256: verified.sha256, label: location.description,
            expected: (version, "\(version) as SHA256SUMS lists it (a mislabelled build)"),
            state: &state)
    }

    /// `12.3 MiB`, `812 KiB`, `90 bytes`.
    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20 {
            let tenths = (bytes * 10 + (1 << 19)) >> 20
            return "\(tenths / 10).\(tenths % 10) MiB"
        }
        return bytes >= 1 << 10 ? "\((bytes + 512) >> 10) KiB" : "\(bytes) bytes"
    }
}

extension ReleaseError {
    /// As `agent-runner upgrade` reports it: exit 1, nothing changed.
    public var lifecycleError: LifecycleError { LifecycleError(message + "; nothing changed") }
}
