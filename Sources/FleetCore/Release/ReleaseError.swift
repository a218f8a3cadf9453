/// Finding, fetching or verifying a release build failed. One line that names the file, path or
/// URL and the next step; nothing has been installed when one is thrown (a build streamed to a
/// staging file is deleted by whoever staged it).
public struct ReleaseError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// SHA256SUMS has lines that are not `sha256sum` output.
        case malformedChecksums
        /// The requested version (or any version) is not listed for this architecture.
        case versionMissing
        /// The downloaded bytes do not hash to the listed sum.
        case checksumMismatch
        /// A 404, or no such file.
        case notFound
        case timedOut
        /// No connection (refused, unresolvable host).
        case unreachable
        /// An HTTP status other than 200 and 404.
        case httpStatus
        case tooLarge
        /// `https://`: the project's HTTP client speaks plain http only.
        case unsupportedScheme
        /// The file exists but cannot be read, or the transfer broke off.
        case unreadable
        /// The download could not be written where it is being staged (a full disk).
        case unwritable
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
