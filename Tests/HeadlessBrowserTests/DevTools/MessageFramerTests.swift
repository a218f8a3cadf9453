import FleetCore
import XCTest

@testable import HeadlessBrowser

final class MessageFramerTests: XCTestCase {
    func testSplitsOnNULAcrossAndWithinReads() {
        var framer = MessageFramer()

        XCTAssertEqual(framer.append(Array("{\"id\":1}\0{\"id\"".utf8)), [Array("{\"id\":1}".utf8)])
        XCTAssertEqual(framer.pendingByteCount, 5)
        XCTAssertEqual(framer.append(Array(":2}".utf8)), [])
        XCTAssertEqual(
            framer.append(Array("\0{\"m\":3}\0".utf8)), [Array("{\"id\":2}".utf8), Array("{\"m\":3}".utf8)])
        XCTAssertEqual(framer.pendingByteCount, 0)
    }

    func testAMessageArrivingInManySmallReadsComesOutWhole() {
        var framer = MessageFramer()
        let message = Array(("{\"data\":\"" + String(repeating: "A", count: 100_000) + "\"}").utf8)
        var received: [[UInt8]] = []
        for start in stride(from: 0, to: message.count, by: 4096) {
            received += framer.append(message[start..<min(start + 4096, message.count)])
        }
        XCTAssertEqual(received, [])
        XCTAssertEqual(framer.append([0]), [message])
    }

    func testFrameIsCompactJSONEndingInOneNUL() {
        let framed = MessageFramer.frame(["id": 1, "method": "Runtime.evaluate", "params": ["expression": "'a\u{0}b'"]])

        XCTAssertEqual(
            String(decoding: framed.dropLast(), as: UTF8.self),
            #"{"id":1,"method":"Runtime.evaluate","params":{"expression":"'a\u0000b'"}}"#)
        XCTAssertEqual(framed.last, 0)
        XCTAssertEqual(framed.filter { $0 == 0 }.count, 1, "a NUL inside a string is escaped, not sent raw")
    }
}
