import FleetCore
import XCTest

final class JSONValueTests: XCTestCase {
    private let sample: JSONValue = [
        "system": ["disk_used_pct": 91.5, "load": [0.5, 1, 2]],
        "rounds": [["exit_code": 0], ["exit_code": 3.0]],
        "name": "pi-4", "ok": true, "nothing": nil,
    ]

    func testAccessors() {
        XCTAssertEqual(sample["name"]?.stringValue, "pi-4")
        XCTAssertEqual(sample["ok"]?.boolValue, true)
        XCTAssertTrue(sample["nothing"]?.isNull ?? false)
        XCTAssertNil(sample["missing"])
        XCTAssertNil(sample["name"]?.intValue)
        XCTAssertNil(sample[0], "an object has no index")
        XCTAssertEqual(sample["system"]?["load"]?[1]?.intValue, 1)
        XCTAssertNil(sample["system"]?["load"]?[3])
        XCTAssertNil(sample["system"]?["load"]?[-1])
        XCTAssertEqual(sample["system"]?["load"]?.arrayValue?.count, 3)
        XCTAssertEqual(sample["system"]?.objectValue?.keys, ["disk_used_pct", "load"])
    }

    func testNumericConversions() {
        XCTAssertEqual(JSONValue.double(3.0).intValue, 3)
        XCTAssertNil(JSONValue.double(3.5).intValue)
        XCTAssertNil(JSONValue.double(1e300).intValue)
        XCTAssertNil(JSONValue.double(.nan).intValue)
        XCTAssertNil(JSONValue.double(.infinity).intValue)
        XCTAssertNil(JSONValue.double(9_223_372_036_854_775_808).intValue)
        XCTAssertEqual(JSONValue.int(7).doubleValue, 7)
        XCTAssertNil(JSONValue.bool(true).doubleValue)
        XCTAssertNil(JSONValue.int(1).boolValue)
    }

    func testDottedPaths() {
        XCTAssertEqual(sample.value(at: "system.disk_used_pct")?.doubleValue, 91.5)
        XCTAssertEqual(sample.value(at: "rounds.1.exit_code")?.intValue, 3)
        XCTAssertEqual(sample.value(at: "system.load.2"), .int(2))
        XCTAssertNil(sample.value(at: "system.load.x"))
        XCTAssertNil(sample.value(at: "name.length"))
        XCTAssertNil(sample.value(at: "system..load"))
        XCTAssertEqual(sample.value(at: ""), sample)
        let dotted: JSONValue = ["a.b": 1]
        XCTAssertNil(dotted.value(at: "a.b"))
        XCTAssertEqual(dotted.value(atPath: ["a.b"]), .int(1))
    }

    func testObjectOrderMutationAndEquality() {
        var object: JSONObject = ["b": 1, "a": 2]
        object["c"] = 3
        object["b"] = 10
        XCTAssertEqual(object.keys, ["b", "a", "c"])
        XCTAssertEqual(object.values, [10, 2, 3])
        XCTAssertEqual(object.removeValue(forKey: "b"), 10)
        XCTAssertNil(object.removeValue(forKey: "b"))
        XCTAssertEqual(object.keys, ["a", "c"])
        XCTAssertEqual(object["c"], 3)
        object["a"] = nil
        XCTAssertEqual(object.keys, ["c"])
        XCTAssertFalse(object.contains("a"))
        XCTAssertNotEqual(["x": 1, "y": 2] as JSONObject, ["y": 2, "x": 1] as JSONObject)
        XCTAssertEqual(object.map(\.key), ["c"])
    }

    /// Objects switch from a linear key search to a hash index past a dozen keys, and back
    /// when keys are removed: order, replacement, removal and lookup behave the same either way.
    func testObjectBehavesTheSameOnBothSidesOfTheIndexThreshold() throws {
        for count in [0, 1, 11, 12, 13, 40] {
            var object = JSONObject()
            for key in 0..<count { object["k\(key)"] = .int(Int64(key)) }
            // A repeated key keeps its first position and takes the last value.
            if count > 0 { object["k0"] = "replaced" }
            XCTAssertEqual(object.keys, (0..<count).map { "k\($0)" })
            XCTAssertEqual(object["k0"], count > 0 ? "replaced" : nil)
            for key in 1..<max(count, 1) { XCTAssertEqual(object["k\(key)"], .int(Int64(key)), "k\(key) of \(count)") }
            XCTAssertNil(object["missing"])
            // Remove every other key, crossing the threshold downwards for the big objects.
            for key in stride(from: 0, to: count, by: 2) { XCTAssertNotNil(object.removeValue(forKey: "k\(key)")) }
            let remaining = stride(from: 1, to: count, by: 2).map { "k\($0)" }
            XCTAssertEqual(object.keys, remaining)
            for key in remaining {
                XCTAssertTrue(object.contains(key))
                XCTAssertEqual(object[key], .int(Int64(key.dropFirst())!))
            }
            for key in stride(from: 0, to: count, by: 2) { XCTAssertFalse(object.contains("k\(key)")) }
            // Equality is order-sensitive and independent of how the lookup is stored.
            XCTAssertEqual(object, JSONObject(remaining.map { ($0, JSONValue.int(Int64($0.dropFirst())!)) }))
            if remaining.count > 1 {
                XCTAssertNotEqual(
                    object, JSONObject(remaining.reversed().map { ($0, JSONValue.int(Int64($0.dropFirst())!)) }))
            }
        }
    }

    /// A parsed document with objects on both sides of the threshold and duplicate keys.
    func testParsedObjectsOnBothSidesOfTheThreshold() throws {
        let wide = (0..<20).map { #""w\#($0)": \#($0)"# }.joined(separator: ", ")
        let value = try JSONParser.strict.parse(
            Array(#"{"a": 1, "b": [1, {"c": 2}], "a": 3, "wide": {\#(wide), "w3": "again"}}"#.utf8))
        guard case .object(let top) = value, case .object(let nested)? = top["wide"] else {
            return XCTFail("not objects: \(value)")
        }
        XCTAssertEqual(top.keys, ["a", "b", "wide"])
        XCTAssertEqual(top["a"], 3)
        XCTAssertEqual(nested.count, 20)
        XCTAssertEqual(nested["w3"], "again")
        XCTAssertEqual(nested["w19"], 19)
        XCTAssertEqual(nested.keys.first, "w0")
    }
}
