/// A build whose bytes hashed to the sum SHA256SUMS lists for it: the only form in which a
/// downloaded build reaches the rest of an upgrade. The bytes themselves went to whoever
/// consumed the download (a staging file, a buffer to push over ssh).
public struct VerifiedRelease: Sendable, Equatable {
    public let version: ReleaseVersion
    public let location: ReleaseLocation
    /// Lowercase hex, equal to the listed sum.
    public let sha256: String
    public let byteCount: Int

    /// Checks the digest of the `byteCount` bytes fetched from `location` against `build`'s
    /// listed sum.
    public static func verify(
        sha256 digest: String, byteCount: Int, of build: ReleaseCatalog.Build,
        from location: ReleaseLocation
    ) throws(ReleaseError) -> VerifiedRelease {
        guard byteCount > 0 else {
            throw ReleaseError(.checksumMismatch, "\(location): the download is empty; republish \(build.fileName)")
        }
        guard digest == build.sha256 else {
            throw ReleaseError(
                .checksumMismatch,
                "\(location): sha256 \(digest) (\(byteCount) bytes) does not match "
                    + "\(build.sha256) listed in SHA256SUMS; refused — republish the build or regenerate "
                    + "SHA256SUMS")
        }
        return VerifiedRelease(version: build.version, location: location, sha256: digest, byteCount: byteCount)
    }
}
