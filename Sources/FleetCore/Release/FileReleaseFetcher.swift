#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads release files from a directory (`[upgrade] source = "/srv/builds/agent-runner-{version}-{arch}"`):
/// a share or a USB stick the builds were copied to.
public struct FileReleaseFetcher: ReleaseFetcher {
    public let fileSystem: any FileSystem

    public init(fileSystem: any FileSystem = LocalFileSystem()) {
        self.fileSystem = fileSystem
    }

    public func fetch(_ location: ReleaseLocation, limit: Int) throws(ReleaseError) -> [UInt8] {
        guard case .file(let path) = location else {
            throw ReleaseError(.unsupportedScheme, "\(location): not a file path; an http(s) source needs the HTTP fetcher")
        }
        do {
            return try fileSystem.readFile(path, limit: limit)
        } catch {
            if error.isMissing {
                throw ReleaseError(.notFound, "\(path): no such file; check [upgrade] source and that the build and SHA256SUMS were copied there")
            }
            if error.errno == EFBIG {
                throw ReleaseError(.tooLarge, "\(path): larger than \(limit) bytes; is [upgrade] source pointing at the right file?")
            }
            throw ReleaseError(.unreadable, "\(path): \(error.reason); check its permissions")
        }
    }
}
