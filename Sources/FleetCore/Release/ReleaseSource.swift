/// Finds and downloads the build an upgrade installs from `[upgrade] source`: fetch
/// SHA256SUMS, pick the latest release (or `--target`), stream that build to the caller while
/// hashing it, and refuse it unless it hashes to the listed sum. Each failure is one
/// ``ReleaseError`` line.
///
/// Streaming is what keeps a 512 MB Pi safe during an upgrade: the build passes through in
/// 64 KiB pieces on its way to the staging file instead of sitting in memory in several copies.
/// The sum is known only after the last byte, so the caller writes the pieces somewhere inert
/// (a staging file nothing runs) and deletes them when ``download(_:into:)`` throws.
public struct ReleaseSource: Sendable {
    /// SHA256SUMS of a few hundred builds is a few tens of KiB.
    public static let maxChecksumsBytes = 1 << 20
    /// A static agent-runner is about 10 MiB; anything near this is not one.
    public static let maxBuildBytes = 256 << 20

    public let template: ReleaseTemplate
    /// `uname -m` of the host the build is for (``HostArchitecture/current()`` on the host itself).
    public let arch: String
    public let fetcher: any ReleaseFetcher

    public init(template: ReleaseTemplate, arch: String, fetcher: any ReleaseFetcher) {
        self.template = template
        self.arch = arch
        self.fetcher = fetcher
    }

    /// The fetcher the template needs: files for a directory, HTTP for a URL.
    public init(template: ReleaseTemplate, arch: String, timeoutS: Double = 30) {
        let fetcher: any ReleaseFetcher = template.isURL ? HTTPReleaseFetcher(timeoutS: timeoutS) : FileReleaseFetcher()
        self.init(template: template, arch: arch, fetcher: fetcher)
    }

    /// Where SHA256SUMS is, for messages.
    public var checksumsLocation: ReleaseLocation { template.checksumsLocation(arch: arch) }

    /// The builds listed for this architecture.
    public func catalog() throws(ReleaseError) -> ReleaseCatalog {
        let location = checksumsLocation
        let bytes = try fetcher.fetch(location, limit: Self.maxChecksumsBytes)
        let checksums = try ReleaseChecksums.parse(
            String(decoding: bytes, as: UTF8.self),
            source: location.description)
        return ReleaseCatalog(checksums: checksums, template: template, arch: arch, source: location.description)
    }

    /// The listed build of `target`, or the latest release when `target` is nil.
    public func choose(target: String?) throws(ReleaseError) -> ReleaseCatalog.Build {
        let catalog = try catalog()
        if let target { return try catalog.build(for: target) }
        return try catalog.latest()
    }

    /// Where `build` is downloaded from.
    public func location(of build: ReleaseCatalog.Build) -> ReleaseLocation {
        template.artifactLocation(version: build.version.text, arch: arch)
    }

    /// Streams `build` into `consume`, hashing it on the way; throws `checksumMismatch` after
    /// the last piece when the bytes are not the listed ones. On any throw, what `consume`
    /// received must be thrown away.
    public func download(
        _ build: ReleaseCatalog.Build,
        into consume: (_ piece: [UInt8]) throws(ReleaseError) -> Void
    )
        throws(ReleaseError) -> VerifiedRelease
    {
        let location = location(of: build)
        var hasher = SHA256()
        var count = 0
        try fetcher.stream(location, limit: Self.maxBuildBytes) { (piece) throws(ReleaseError) in
            hasher.update(piece)
            count += piece.count
            try consume(piece)
        }
        return try VerifiedRelease.verify(sha256: hasher.hexDigest(), byteCount: count, of: build, from: location)
    }

    /// The build of `target` (nil: the latest release), downloaded into memory and verified:
    /// for fleetctl, which pushes the bytes to each host over ssh anyway.
    public func download(target: String?) throws(ReleaseError) -> (release: VerifiedRelease, bytes: [UInt8]) {
        let build = try choose(target: target)
        var bytes: [UInt8] = []
        let release = try download(build) { piece in bytes.append(contentsOf: piece) }
        return (release, bytes)
    }
}
