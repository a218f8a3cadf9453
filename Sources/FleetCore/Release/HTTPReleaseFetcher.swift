/// Downloads release files over plain `http://` with the project's own ``FleetCore/HTTPClient``
/// (a deadline on every socket step; no redirects; the whole body in memory).
///
/// `https://` is refused with the ways around it: the client has no TLS (the project links no
/// crypto library), and the SHA256SUMS check guards against corruption, not against a server
/// that serves a matching bad pair.
public struct HTTPReleaseFetcher: ReleaseFetcher {
    public let timeoutS: Double

    public init(timeoutS: Double = 30) {
        self.timeoutS = timeoutS
    }

    public func fetch(_ location: ReleaseLocation, limit: Int) throws(ReleaseError) -> [UInt8] {
        guard case .url(let url) = location else {
            throw ReleaseError(.unsupportedScheme, "\(location): not a URL; a directory source needs the file fetcher")
        }
        if url.hasPrefix("https://") {
            throw ReleaseError(.unsupportedScheme, "\(url): https is not supported (agent-runner's HTTP client has no TLS); serve the builds over http from a trusted network, put a local TLS proxy in front, or copy them to a directory and point [upgrade] source at it")
        }
        let response: HTTPResponse
        do {
            response = try HTTPClient(timeoutS: timeoutS, maxBodyBytes: limit + 1).get(url)
        } catch {
            if error.message.contains("timed out") {
                throw ReleaseError(.timedOut, "\(url): \(error.message); check that the server is up and reachable from this host")
            }
            if error.message.hasPrefix("cannot connect") || error.message.hasPrefix("cannot resolve") {
                throw ReleaseError(.unreachable, "\(url): \(error.message); check [upgrade] source and that the server is up")
            }
            throw ReleaseError(.unreadable, "\(url): \(error.message)")
        }
        switch response.status {
        case 200:
            guard response.body.count <= limit else {
                throw ReleaseError(.tooLarge, "\(url): larger than \(limit) bytes; is [upgrade] source pointing at the right file?")
            }
            return response.body
        case 404:
            throw ReleaseError(.notFound, "\(url): HTTP 404 Not Found; check [upgrade] source and that the file is published there")
        case 300..<400:
            throw ReleaseError(.httpStatus, "\(url): HTTP \(response.status) redirect, which is not followed; point [upgrade] source at the final location")
        default:
            throw ReleaseError(.httpStatus, "\(url): HTTP \(response.status); check the server's log")
        }
    }
}
