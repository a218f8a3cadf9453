/// Gets the bytes of a release file: the one effect of finding a release, behind a protocol so
/// the choice and the verification are tested without a network.
public protocol ReleaseFetcher: Sendable {
    /// Hands the content at `location` to `consume` in pieces as it arrives, so a build is never
    /// held whole in memory; refuses more than `limit` bytes. Throws ``ReleaseError``
    /// (`notFound`, `timedOut`, `unreachable`, `tooLarge`, ...) naming the location and what to
    /// do, or what `consume` threw.
    func stream(
        _ location: ReleaseLocation, limit: Int,
        into consume: (_ piece: [UInt8]) throws(ReleaseError) -> Void) throws(ReleaseError)
}

extension ReleaseFetcher {
    /// The whole content at `location`: for SHA256SUMS, or a build that is pushed on anyway.
    public func fetch(_ location: ReleaseLocation, limit: Int) throws(ReleaseError) -> [UInt8] {
        var bytes: [UInt8] = []
        try stream(location, limit: limit) { piece in bytes.append(contentsOf: piece) }
        return bytes
    }
}
