/// The builds SHA256SUMS lists for one architecture, oldest first, and the choice of one:
/// the latest release, or `--target X.Y.Z`.
public struct ReleaseCatalog: Sendable, Equatable {
    public struct Build: Sendable, Equatable {
        public var version: ReleaseVersion
        public var fileName: String
        /// Lowercase hex, as listed.
        public var sha256: String
    }

    public let arch: String
    /// Where the sums came from, for messages.
    public let source: String
    public let builds: [Build]
    /// Architecture by version, for the builds of other architectures (hints only).
    private let otherArchitectures: [String: [String]]

    public init(checksums: ReleaseChecksums, template: ReleaseTemplate, arch: String, source: String) {
        self.arch = arch
        self.source = source
        var builds: [Build] = []
        var others: [String: [String]] = [:]
        for entry in checksums.entries {
            if let version = template.version(inFileName: entry.name, arch: arch) {
                builds.append(Build(version: version, fileName: entry.name, sha256: entry.sha256))
            } else if let other = template.components(ofFileName: entry.name), other.arch != arch {
                others[other.version.text, default: []].append(other.arch)
            }
        }
        self.builds = builds.sorted { $0.version < $1.version }
        otherArchitectures = others
    }

    /// The newest release (pre-releases such as `0.4.0-rc.1` are taken only with `--target`).
    public func latest() throws(ReleaseError) -> Build {
        guard let newest = builds.last(where: { !$0.version.isPreRelease }) else {
            if builds.isEmpty {
                throw ReleaseError(
                    .versionMissing,
                    "\(source) lists no build for \(arch)\(otherHint()); publish one, "
                        + "or check [upgrade] source's file name pattern")
            }
            throw ReleaseError(
                .versionMissing,
                "\(source) lists only pre-releases for \(arch) (\(listed())); pass "
                    + "--target with one of them")
        }
        return newest
    }

    /// The build of exactly `target`.
    public func build(for target: String) throws(ReleaseError) -> Build {
        if let build = builds.first(where: { $0.version.text == target }) { return build }
        guard ReleaseVersion(target) != nil else {
            throw ReleaseError(
                .versionMissing,
                "--target \(target) is not a version X.Y.Z[-pre]; \(source) lists for "
                    + "\(arch): \(listed())")
        }
        if let archs = otherArchitectures[target] {
            let others = archs.sorted().joined(separator: ", ")
            throw ReleaseError(
                .versionMissing,
                "\(target) is listed in \(source) for \(others) but not for \(arch); "
                    + "listed for \(arch): \(listed())")
        }
        throw ReleaseError(.versionMissing, "\(target) is not listed in \(source) for \(arch); listed: \(listed())")
    }

    /// Versions for this architecture, newest first (at most 10).
    private func listed() -> String {
        guard !builds.isEmpty else { return "none" }
        let newestFirst = builds.reversed().map(\.version.text)
        let more = newestFirst.count > 10 ? ", … (\(newestFirst.count) in all)" : ""
        return newestFirst.prefix(10).joined(separator: ", ") + more
    }

    private func otherHint() -> String {
        let archs = Set(otherArchitectures.values.joined()).sorted()
        return archs.isEmpty ? "" : " (it has builds for \(archs.joined(separator: ", ")))"
    }
}
