import FleetCore
import XCTest

/// Asserts that `event` writes exactly `expected`: the same keys in the same order with the same
/// JSON types, compared as objects and as the bytes the event log gets.
func assertPayload(
    _ event: some TypedEvent, equals expected: JSONObject, file: StaticString = #filePath, line: UInt = #line
) {
    let writer = JSONWriter()
    XCTAssertEqual(writer.string(.object(event.payload)), writer.string(.object(expected)), file: file, line: line)
    XCTAssertEqual(event.payload, expected, file: file, line: line)
}
