import FleetCore
import Synchronization
import XCTest

/// A release server in memory: each location answers with its bytes (handed on in small
/// pieces, so hashing across pieces is exercised) or with the error it is scripted to fail
/// with. A location the test did not set up fails the test, naming it.
public final class FakeReleaseFetcher: ReleaseFetcher, Sendable {
    public enum Answer: Sendable {
        case bytes([UInt8])
        case failure(ReleaseError)
    }

    private let answers: [String: Answer]
    private let pieceBytes: Int
    private let fetched = Mutex<[String]>([])

    /// `answers` by location (a path or URL, as ``ReleaseLocation/description`` spells it).
    public init(_ answers: [String: Answer], pieceBytes: Int = 7) {
        self.answers = answers
        self.pieceBytes = pieceBytes
    }

    /// Every location asked for, in order.
    public var requests: [String] {
        fetched.withLock { $0 }
    }

    public func stream(
        _ location: ReleaseLocation, limit: Int,
        into consume: (_ piece: [UInt8]) throws(ReleaseError) -> Void
    ) throws(ReleaseError) {
        fetched.withLock { $0.append(location.description) }
        switch answers[location.description] {
        case nil:
            XCTFail("this test fetched \(location) without setting it up")
            throw ReleaseError(.notFound, "\(location): not set up in this test")
        case .failure(let error)?:
            throw error
        case .bytes(let bytes)?:
            guard bytes.count <= limit else { throw ReleaseError(.tooLarge, "\(location): larger than \(limit) bytes") }
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + pieceBytes)
                try consume(Array(bytes[offset..<end]))
                offset = end
            }
        }
    }
}
