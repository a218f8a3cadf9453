/// `[upgrade] source`: where builds are published, as a directory path or an `http://` URL with
/// `{version}` and `{arch}` in it, e.g. `http://builds.lan/agent-runner/agent-runner-{version}-{arch}`
/// or `/srv/builds/agent-runner-{version}-{arch}` (the names `scripts/build-release` writes). A
/// `SHA256SUMS` in the same directory lists every build; the template tells which of its lines
/// are builds of which version for which architecture. `https://` is refused here, at load
/// time, rather than at the first upgrade: the HTTP client has no TLS.
///
/// `{version}` must be in the file name (the sums file beside the builds lists all versions, so
/// it cannot live in a per-version directory); `{arch}` (`uname -m`: `aarch64`, `x86_64`,
/// `armv7l`) may be in the file name or the directory.
public struct ReleaseTemplate: Sendable, Equatable {
    public static let checksumsName = "SHA256SUMS"

    public let text: String
    /// Everything before the last `/`: `http://host/dir`, `/srv/builds`.
    public let directory: String
    /// The file name pattern after the last `/`.
    public let fileName: String
    public let isURL: Bool

    /// Why an `https://` source is refused, and the ways around it.
    public static let httpsRefusal =
        "https is not supported (agent-runner's HTTP client has no TLS); serve the "
        + "builds over http from a trusted network, put a local TLS proxy in front, or copy them to a directory "
        + "and point [upgrade] source at it"

    public init(_ text: String) throws(ReleaseTemplateError) {
        func bad(_ reason: String) -> ReleaseTemplateError {
            ReleaseTemplateError(text: text, reason: reason)
        }
        self.text = text
        if text.hasPrefix("https://") { throw bad(Self.httpsRefusal) }
        isURL = text.hasPrefix("http://")
        guard isURL || text.hasPrefix("/") else {
            throw bad(
                "must be an absolute directory path or an http:// URL, "
                    + "e.g. http://builds.lan/agent-runner-{version}-{arch}")
        }
        if isURL {
            let afterScheme = text.dropFirst("http://".count)
            guard let hostEnd = afterScheme.firstIndex(of: "/"), hostEnd > afterScheme.startIndex else {
                throw bad("a URL needs a host and a path to the builds, e.g. http://host/agent-runner-{version}-{arch}")
            }
            guard HTTPClient.Endpoint(String(text[..<hostEnd]) + "/") != nil else {
                throw bad("'\(afterScheme[..<hostEnd])' is not a host[:port]")
            }
            guard !text.contains("?") && !text.contains("#") else {
                throw bad("query strings and fragments are not supported; use a plain path")
            }
        }
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else { throw bad("an unclosed '{'") }
            let name = rest[rest.index(after: open)..<close]
            guard name == "version" || name == "arch" else {
                throw bad("unknown placeholder {\(name)}; only {version} and {arch} exist")
            }
            rest = rest[rest.index(after: close)...]
        }
        guard !rest.contains("}") else { throw bad("a '}' without '{'") }
        let slash = text.lastIndex(of: "/")!
        directory = String(text[..<slash])
        fileName = String(text[text.index(after: slash)...])
        guard Self.count("{version}", in: fileName) == 1 else {
            throw bad(
                "the file name must contain {version} exactly once (SHA256SUMS beside the builds lists every "
                    + "version)")
        }
        guard !directory.contains("{version}") else {
            throw bad("{version} belongs in the file name, not the directory: SHA256SUMS lists every version")
        }
        guard Self.count("{arch}", in: fileName) <= 1, Self.count("{arch}", in: directory) <= 1 else {
            throw bad("{arch} may appear once")
        }
    }

    /// Where `SHA256SUMS` is for `arch`.
    public func checksumsLocation(arch: String) -> ReleaseLocation {
        location(directory.replacingAll("{arch}", with: arch) + "/" + Self.checksumsName)
    }

    /// The build's file name, as SHA256SUMS lists it.
    public func fileName(version: String, arch: String) -> String {
        fileName.replacingAll("{arch}", with: arch).replacingAll("{version}", with: version)
    }

    /// Where the build of `version` for `arch` is.
    public func artifactLocation(version: String, arch: String) -> ReleaseLocation {
        location(directory.replacingAll("{arch}", with: arch) + "/" + fileName(version: version, arch: arch))
    }

    /// The version in `name` when it is a build for `arch`; nil for other files and architectures.
    public func version(inFileName name: String, arch: String) -> ReleaseVersion? {
        let pattern = fileName.replacingAll("{arch}", with: arch)
        guard let marker = pattern.firstRange(of: "{version}") else { return nil }
        let prefix = pattern[..<marker.lowerBound]
        let suffix = pattern[marker.upperBound...]
        guard name.count > prefix.count + suffix.count, name.hasPrefix(prefix), name.hasSuffix(suffix) else {
            return nil
        }
        return ReleaseVersion(String(name.dropFirst(prefix.count).dropLast(suffix.count)))
    }

    /// The version and architecture of a build named `name` of any architecture (for the "listed
    /// for x86_64 only" hint). Where the separator between the two also occurs inside a version
    /// (`-` in `0.4.0-rc.1`), the split that leaves a valid version and no separator in the
    /// architecture wins.
    public func components(ofFileName name: String) -> (version: ReleaseVersion, arch: String)? {
        guard let versionMarker = fileName.firstRange(of: "{version}"),
            let archMarker = fileName.firstRange(of: "{arch}")
        else { return nil }
        let versionFirst = versionMarker.lowerBound < archMarker.lowerBound
        let first = versionFirst ? versionMarker : archMarker
        let second = versionFirst ? archMarker : versionMarker
        let prefix = fileName[..<first.lowerBound]
        let between = String(fileName[first.upperBound..<second.lowerBound])
        let suffix = fileName[second.upperBound...]
        guard !between.isEmpty, name.count > prefix.count + suffix.count, name.hasPrefix(prefix), name.hasSuffix(suffix)
        else { return nil }
        let middle = name.dropFirst(prefix.count).dropLast(suffix.count)
        var splits: [Range<Substring.Index>] = []
        var from = middle.startIndex
        while let range = middle[from...].firstRange(of: between) {
            splits.append(range)
            from = range.upperBound
        }
        for split in versionFirst ? splits.reversed() : splits {
            let left = String(middle[..<split.lowerBound])
            let right = String(middle[split.upperBound...])
            let (versionText, arch) = versionFirst ? (left, right) : (right, left)
            if let version = ReleaseVersion(versionText), !arch.isEmpty, !arch.contains("/") {
                return (version, arch)
            }
        }
        return nil
    }

    private func location(_ text: String) -> ReleaseLocation {
        isURL ? .url(text) : .file(text)
    }

    private static func count(_ needle: String, in text: String) -> Int {
        var count = 0
        var rest = Substring(text)
        while let range = rest.firstRange(of: needle) {
            count += 1
            rest = rest[range.upperBound...]
        }
        return count
    }
}
