import FleetCore
import XCTest

@testable import HeadlessBrowser

final class RemoteValueTests: XCTestCase {
    func testTruthinessFollowsJavaScript() {
        let falsy: [JSONValue] = [
            ["type": "undefined"],
            ["type": "object", "subtype": "null", "value": nil],
            ["type": "boolean", "value": false],
            ["type": "number", "value": 0],
            ["type": "number", "unserializableValue": "-0"],
            ["type": "number", "unserializableValue": "NaN"],
            ["type": "string", "value": ""],
            ["type": "bigint", "unserializableValue": "0n"],
        ]
        let truthy: [JSONValue] = [
            ["type": "object", "value": [:]],
            ["type": "object", "subtype": "array", "value": []],
            ["type": "boolean", "value": true],
            ["type": "number", "value": 0.5],
            ["type": "number", "unserializableValue": "-Infinity"],
            ["type": "string", "value": "0"],
            ["type": "bigint", "unserializableValue": "7n"],
            ["type": "function", "description": "() => 1"],
        ]
        for value in falsy { XCTAssertFalse(RemoteValue.isTruthy(value), "\(value)") }
        for value in truthy { XCTAssertTrue(RemoteValue.isTruthy(value), "\(value)") }
    }

    func testValuesJSONCannotHold() {
        XCTAssertEqual(RemoteValue.json(["type": "undefined"]), nil)
        XCTAssertEqual(RemoteValue.json(["type": "number", "unserializableValue": "Infinity"]), .double(.infinity))
        XCTAssertEqual(RemoteValue.json(["type": "number", "unserializableValue": "-0"]).doubleValue?.sign, .minus)
        XCTAssertTrue(RemoteValue.json(["type": "number", "unserializableValue": "NaN"]).doubleValue?.isNaN ?? false)
        XCTAssertEqual(
            RemoteValue.json(["type": "bigint", "unserializableValue": "12345678901234567890n"]), "12345678901234567890"
        )
        XCTAssertEqual(RemoteValue.json(["type": "object", "value": ["a": [1]]]), ["a": [1]])
    }

    func testDisplayTextForErrorMessages() {
        XCTAssertEqual(RemoteValue.displayText(remoteObject: ["type": "undefined"]), "undefined")
        XCTAssertEqual(RemoteValue.displayText(remoteObject: ["type": "string", "value": "7"]), "\"7\"")
        XCTAssertEqual(RemoteValue.displayText(remoteObject: ["type": "number", "unserializableValue": "NaN"]), "NaN")
    }
}
