/// Gets the bytes of a release file: the one effect of finding a release, behind a protocol so
/// the choice and the verification are tested without a network.
public protocol ReleaseFetcher: Sendable {
    /// The whole content at `location`; throws ``ReleaseError`` (`notFound`, `timedOut`,
    /// `unreachable`, `tooLarge`, ...) naming the location and what to do.
    func fetch(_ location: ReleaseLocation, limit: Int) throws(ReleaseError) -> [UInt8]
}
