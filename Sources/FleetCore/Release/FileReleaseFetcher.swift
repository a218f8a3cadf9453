#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Reads release files from a directory (`[upgrade] source = "/srv/builds/agent-runner-{version}-{arch}"`):
/// a share or a USB stick the builds were copied to. The file is read whole through the file
/// system seam (one copy in memory; a local read needs no more care than that) and handed on
/// in 64 KiB pieces.
public struct FileReleaseFetcher: ReleaseFetcher {
    public let fileSystem: any FileSystem

    public init(fileSystem: any FileSystem = LocalFileSystem()) {
        self.fileSystem = fileSystem
    }

    public func stream(
        _ location: ReleaseLocation, limit: Int,
        into consume: (_ piece: [UInt8]) throws(ReleaseError) -> Void
    ) throws(ReleaseError) {
        guard case .file(let path) = location else {
            throw ReleaseError(
                .unsupportedScheme,
                "\(location): not a file path; an http source needs the HTTP "
                    + "fetcher")
        }
        let bytes: [UInt8]
        do {
            bytes = try fileSystem.readFile(path, limit: limit)
        } catch {
            if error.isMissing {
                throw ReleaseError(
                    .notFound,
                    "\(path): no such file; check [upgrade] source and that the build and "
                        + "SHA256SUMS were copied there")
            }
            if error.errno == EFBIG {
                throw ReleaseError(
                    .tooLarge,
                    "\(path): larger than \(limit) bytes; is [upgrade] source pointing at "
                        + "the right file?")
            }
            throw ReleaseError(.unreadable, "\(path): \(error.reason); check its permissions")
        }
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + 64 << 10)
            try consume(Array(bytes[offset..<end]))
            offset = end
        }
    }
}
