/// A build whose bytes hash to the sum SHA256SUMS lists for it: the only form in which a
/// downloaded build reaches the rest of `agent-runner upgrade`.
public struct VerifiedRelease: Sendable, Equatable {
    public let version: ReleaseVersion
    public let location: ReleaseLocation
    /// Lowercase hex, equal to the listed sum.
    public let sha256: String
    public let bytes: [UInt8]

    /// Checks `bytes`, fetched from `location`, against `build`'s listed sum.
    public static func verify(_ bytes: [UInt8], of build: ReleaseCatalog.Build, from location: ReleaseLocation) throws(ReleaseError) -> VerifiedRelease {
        guard !bytes.isEmpty else {
            throw ReleaseError(.checksumMismatch, "\(location): the download is empty; republish \(build.fileName)")
        }
        let digest = SHA256.hex(of: bytes)
        guard digest == build.sha256 else {
            throw ReleaseError(.checksumMismatch, "\(location): sha256 \(digest) (\(bytes.count) bytes) does not match \(build.sha256) listed in SHA256SUMS; refused — republish the build or regenerate SHA256SUMS")
        }
        return VerifiedRelease(version: build.version, location: location, sha256: digest, bytes: bytes)
    }
}
