import TestSupport
import XCTest

@testable import FleetCore

/// Clipping bounds bytes, on scalar boundaries, whatever the text: generated hostile strings
/// and single Characters of hundreds of kilobytes.
final class UTF8ClipTests: XCTestCase {
    func testPrefixAndSuffixAreMaximalScalarAlignedByteCuts() {
        let generator = HostileText()
        for text in generator.strings(2000, maxPieces: 24) {
            let bytes = Array(text.utf8)
            let limit = generator.random.below(bytes.count + 4)
            let head = UTF8Clip.prefix(text, maxBytes: limit)
            let tail = UTF8Clip.suffix(text, maxBytes: limit)
            let hint = "\(text.debugDescription) limit \(limit); \(generator.random.replayHint)"
            XCTAssertLessThanOrEqual(head.utf8.count, limit, hint)
            XCTAssertLessThanOrEqual(tail.utf8.count, limit, hint)
            XCTAssertTrue(bytes.starts(with: head.utf8), "a prefix keeps the bytes as they were: \(hint)")
            XCTAssertTrue(bytes.reversed().starts(with: tail.utf8.reversed()), hint)
            // Maximal: the next scalar would not have fitted.
            let nextScalar = text.unicodeScalars.dropFirst(head.unicodeScalars.count).first
            if let nextScalar { XCTAssertGreaterThan(head.utf8.count + String(nextScalar).utf8.count, limit, hint) }
            let clipped = UTF8Clip.clip(text, maxBytes: max(limit, 3))
            XCTAssertLessThanOrEqual(clipped.utf8.count, max(limit, 3), hint)
            XCTAssertEqual(clipped == text, bytes.count <= max(limit, 3), hint)
            XCTAssertLessThanOrEqual(UTF8Clip.clipTail(text, maxBytes: max(limit, 3)).utf8.count, max(limit, 3), hint)
        }
    }

    func testOneHugeCharacterIsCutByBytes() {
        let cluster = "a" + String(repeating: "\u{0301}", count: 300_000)
        XCTAssertEqual(cluster.count, 1, "one Character")
        XCTAssertEqual(UTF8Clip.prefix(cluster, maxBytes: 1000).utf8.count, 999, "a (1 byte) and 499 two-byte marks")
        XCTAssertEqual(UTF8Clip.clip(cluster, maxBytes: 200, maxScalars: 200).utf8.count, 200)
        XCTAssertEqual(UTF8Clip.prefix(cluster, maxScalars: 3, maxBytes: 1000), "a\u{0301}\u{0301}")
        XCTAssertEqual(UTF8Clip.clip("short", maxBytes: 200, maxScalars: 200), "short")
    }
}
