/// Finds and downloads the build `agent-runner upgrade` installs from `[upgrade] source`:
/// fetch SHA256SUMS, pick the latest release (or `--target`), fetch that build, verify its sum —
/// before anything else happens. Each failure is one ``ReleaseError`` line; nothing is written.
public struct ReleaseSource: Sendable {
    /// SHA256SUMS of a few hundred builds is a few tens of KiB.
    public static let maxChecksumsBytes = 1 << 20
    /// A static agent-runner is about 10 MiB; anything near this is not one.
    public static let maxBuildBytes = 256 << 20

    public let template: ReleaseTemplate
    /// `uname -m` of this host (``HostArchitecture/current()``).
    public let arch: String
    public let fetcher: any ReleaseFetcher

    public init(template: ReleaseTemplate, arch: String, fetcher: any ReleaseFetcher) {
        self.template = template
        self.arch = arch
        self.fetcher = fetcher
    }

    /// The fetcher the template needs: files for a directory, HTTP for a URL.
    public init(template: ReleaseTemplate, arch: String, timeoutS: Double = 30) {
        self.init(template: template, arch: arch, fetcher: template.isURL ? HTTPReleaseFetcher(timeoutS: timeoutS) as any ReleaseFetcher : FileReleaseFetcher())
    }

    /// The builds listed for this architecture.
    public func catalog() throws(ReleaseError) -> ReleaseCatalog {
        let location = template.checksumsLocation(arch: arch)
        let bytes = try fetcher.fetch(location, limit: Self.maxChecksumsBytes)
        let checksums = try ReleaseChecksums.parse(String(decoding: bytes, as: UTF8.self), source: location.description)
        return ReleaseCatalog(checksums: checksums, template: template, arch: arch, source: location.description)
    }

    /// The build of `target` (nil: the latest release), downloaded and verified.
    public func download(target: String?) throws(ReleaseError) -> VerifiedRelease {
        let catalog = try catalog()
        let build: ReleaseCatalog.Build
        if let target {
            build = try catalog.build(for: target)
        } else {
            build = try catalog.latest()
        }
        let location = template.artifactLocation(version: build.version.text, arch: arch)
        let bytes = try fetcher.fetch(location, limit: Self.maxBuildBytes)
        return try VerifiedRelease.verify(bytes, of: build, from: location)
    }
}
