/// Downloads release files over plain `http://` with the project's own ``HTTPClient``: one
/// deadline for connecting and the head, then one per 64 KiB of body, no redirects, and the body streamed
/// (``HTTPClient/open(_:)``), so a build goes to its staging file 64 KiB at a time.
///
/// `https://` is refused with the ways around it: the client has no TLS (the project links no
/// crypto library), and the SHA256SUMS check guards against corruption, not against a server
/// that serves a matching bad pair.
public struct HTTPReleaseFetcher: ReleaseFetcher {
    public let timeoutS: Double

    public init(timeoutS: Double = 30) {
        self.timeoutS = timeoutS
    }

    public func stream(
        _ location: ReleaseLocation, limit: Int,
        into consume: (_ piece: [UInt8]) throws(ReleaseError) -> Void
    ) throws(ReleaseError) {
        guard case .url(let url) = location else {
            throw ReleaseError(.unsupportedScheme, "\(location): not a URL; a directory source needs the file fetcher")
        }
        if url.hasPrefix("https://") {
            throw ReleaseError(.unsupportedScheme, "\(url): \(ReleaseTemplate.httpsRefusal)")
        }
        let response: HTTPResponseStream
        do {
            response = try HTTPClient(timeoutS: timeoutS).open(url)
        } catch {
            throw Self.classify(error, url: url)
        }
        switch response.status {
        case 200:
            break
        case 404:
            throw ReleaseError(
                .notFound,
                "\(url): HTTP 404 Not Found; check [upgrade] source and that the file is "
                    + "published there")
        case 300..<400:
            throw ReleaseError(
                .httpStatus,
                "\(url): HTTP \(response.status) redirect, which is not followed; point "
                    + "[upgrade] source at the final location")
        default:
            throw ReleaseError(.httpStatus, "\(url): HTTP \(response.status); check the server's log")
        }
        let tooLarge = ReleaseError(
            .tooLarge,
            "\(url): larger than \(limit) bytes; is [upgrade] source pointing at "
                + "the right file?")
        if let length = response.contentLength, length > limit { throw tooLarge }
        while true {
            let piece: [UInt8]?
            do {
                piece = try response.next()
            } catch {
                throw Self.classify(error, url: url)
            }
            guard let piece else { return }
            if response.bodyBytesRead > limit { throw tooLarge }
            try consume(piece)
        }
    }

    /// One line per way a transfer fails, with what to check.
    static func classify(_ error: HTTPError, url: String) -> ReleaseError {
        if error.message.contains("timed out") {
            return ReleaseError(
                .timedOut,
                "\(url): \(error.message); check that the server is up and reachable "
                    + "from this host")
        }
        if error.message.hasPrefix("cannot connect") || error.message.hasPrefix("cannot resolve") {
            return ReleaseError(
                .unreachable,
                "\(url): \(error.message); check [upgrade] source and that the server "
                    + "is up")
        }
        if error.message.hasPrefix("the connection closed") {
            return ReleaseError(.unreadable, "\(url): \(error.message); the download broke off, run the upgrade again")
        }
        return ReleaseError(.unreadable, "\(url): \(error.message)")
    }
}
