import FleetCore
import Foundation
import XCTest

/// Runs the official toml-test suite (TOML 1.0.0 case list) against `TOML.parse`.
///
/// Valid cases must parse to exactly the values in the matching tagged-JSON file; invalid cases
/// must be rejected. The suite is looked up via `TOML_TEST_DIR` or a `shared/toml-test/tests`
/// directory next to an ancestor of this file; a missing suite is a failure, not a skip, so CI
/// cannot silently stop checking conformance.
final class TOMLConformanceTests: XCTestCase {
    func testTOMLTestSuite() throws {
        let suite = try locateSuite()
        let list = try String(contentsOf: suite.appendingPathComponent("files-toml-1.0.0"), encoding: .utf8)
        var validPassed = 0
        var validFailed = 0
        var invalidPassed = 0
        var invalidFailed = 0
        var failures: [String] = []

        for line in list.split(whereSeparator: \.isNewline) where line.hasSuffix(".toml") {
            let path = String(line)
            let url = suite.appendingPathComponent(path)
            guard let data = try? Data(contentsOf: url) else {
                failures.append("\(path): cannot read file")
                if path.hasPrefix("valid/") { validFailed += 1 } else { invalidFailed += 1 }
                continue
            }
            if path.hasPrefix("valid/") {
                if let problem = checkValid(
                    Array(data), expectedURL: url.deletingPathExtension().appendingPathExtension("json"))
                {
                    validFailed += 1
                    failures.append("\(path): \(problem)")
                } else {
                    validPassed += 1
                }
            } else {
                do {
                    let table = try TOML.parse(Array(data))
                    invalidFailed += 1
                    failures.append("\(path): accepted invalid document, parsed \(table.count) top-level keys")
                } catch {
                    invalidPassed += 1
                }
            }
        }

        for failure in failures { print("FAIL \(failure)") }
        print("toml-test valid: \(validPassed) passed, \(validFailed) failed")
        print("toml-test invalid: \(invalidPassed) passed, \(invalidFailed) failed")
        XCTAssertGreaterThan(validPassed + invalidPassed, 0, "no cases were run from \(suite.path)")
        XCTAssertEqual(
            validFailed, 0, "valid cases failed:\n" + failures.filter { $0.hasPrefix("valid/") }.joined(separator: "\n")
        )
        XCTAssertEqual(
            invalidFailed, 0,
            "invalid cases failed:\n" + failures.filter { $0.hasPrefix("invalid/") }.joined(separator: "\n"))
    }

    // MARK: - Locating the suite

    private func locateSuite() throws -> URL {
        let fileManager = FileManager.default
        if let override = ProcessInfo.processInfo.environment["TOML_TEST_DIR"], !override.isEmpty {
            let url = URL(fileURLWithPath: override)
            if fileManager.fileExists(atPath: url.appendingPathComponent("files-toml-1.0.0").path) { return url }
            throw SuiteNotFound(searched: ["\(url.path) (from TOML_TEST_DIR)"])
        }
        var searched: [String] = []
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while true {
            let candidate = directory.appendingPathComponent("shared/toml-test/tests")
            searched.append(candidate.path)
            if fileManager.fileExists(atPath: candidate.appendingPathComponent("files-toml-1.0.0").path) {
                return candidate
            }
            let parent = directory.deletingLastPathComponent()
            if parent.path == directory.path { break }
            directory = parent
        }
        throw SuiteNotFound(searched: searched)
    }

    /// Thrown (failing the test) when the suite cannot be found, listing every place searched.
    private struct SuiteNotFound: Error, CustomStringConvertible {
        var searched: [String]
        var description: String {
            "toml-test suite not found (need a directory containing files-toml-1.0.0); looked in:\n"
                + searched.joined(separator: "\n")
        }
    }

    // MARK: - Valid cases

    /// Returns a description of the first difference, or `nil` if the document matches.
    private func checkValid(_ bytes: [UInt8], expectedURL: URL) -> String? {
        let table: TOMLTable
        do {
            table = try TOML.parse(bytes)
        } catch {
            return "rejected valid document: \(error)"
        }
        guard let data = try? Data(contentsOf: expectedURL),
            let expected = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        else {
            return "cannot read expectation \(expectedURL.lastPathComponent)"
        }
        return difference(.table(table), expected, path: "")
    }

    private func difference(_ actual: TOMLValue, _ expected: Any, path: String) -> String? {
        let here = path.isEmpty ? "<root>" : path
        if let object = expected as? [String: Any] {
            if object.count == 2, let type = object["type"] as? String, let value = object["value"] as? String {
                return scalarDifference(actual, type: type, value: value, path: here)
            }
            guard case .table(let table) = actual else {
                return "\(here): expected table, got \(actual.typeName)"
            }
            let actualKeys = Set(table.keys.map { Array($0.unicodeScalars) })
            let expectedKeys = Set(object.keys.map { Array($0.unicodeScalars) })
            guard actualKeys == expectedKeys else {
                let missing = object.keys.filter { !actualKeys.contains(Array($0.unicodeScalars)) }.sorted()
                let extra = table.keys.filter { !expectedKeys.contains(Array($0.unicodeScalars)) }.sorted()
                return "\(here): keys differ; missing \(missing), unexpected \(extra)"
            }
            for (key, expectedValue) in object {
                guard let value = table[key] else { return "\(here): key \(key) not found by lookup" }
                if let problem = difference(value, expectedValue, path: path.isEmpty ? key : path + "." + key) {
                    return problem
                }
            }
            return nil
        }
        if let array = expected as? [Any] {
            guard case .array(let elements) = actual else {
                return "\(here): expected array, got \(actual.typeName)"
            }
            guard elements.count == array.count else {
                return "\(here): expected \(array.count) array elements, got \(elements.count)"
            }
            for (offset, pair) in zip(elements, array).enumerated() {
                if let problem = difference(pair.0, pair.1, path: "\(here)[\(offset)]") { return problem }
            }
            return nil
        }
        return "\(here): unexpected JSON in expectation: \(expected)"
    }

    private func scalarDifference(_ actual: TOMLValue, type: String, value: String, path: String) -> String? {
        let mismatch = "\(path): expected \(type) \(value), got \(actual)"
        switch (type, actual) {
        case ("string", .string(let string)):
            return Array(string.unicodeScalars) == Array(value.unicodeScalars) ? nil : mismatch
        case ("integer", .integer(let integer)):
            return Int64(value) == integer ? nil : mismatch
        case ("float", .float(let double)):
            switch value {
            case "nan", "+nan", "-nan":
                return double.isNaN ? nil : mismatch
            case "inf", "+inf":
                return double == .infinity ? nil : mismatch
            case "-inf":
                return double == -.infinity ? nil : mismatch
            default:
                return Double(value) == double ? nil : mismatch
            }
        case ("bool", .boolean(let boolean)):
            return String(boolean) == value ? nil : mismatch
        case ("datetime", .offsetDateTime(let dateTime)):
            return canonicalDateTime(value, type: type) == dateTime.description ? nil : mismatch
        case ("datetime-local", .localDateTime(let dateTime)):
            return canonicalDateTime(value, type: type) == dateTime.description ? nil : mismatch
        case ("date-local", .localDate(let date)):
            return canonicalDateTime(value, type: type) == date.description ? nil : mismatch
        case ("time-local", .localTime(let time)):
            return canonicalDateTime(value, type: type) == time.description ? nil : mismatch
        default:
            return mismatch
        }
    }

    /// Normalizes an expected date/time string (e.g. `.600` vs `.6` fractions) by parsing it as
    /// a TOML value of the expected kind and printing its canonical form.
    private func canonicalDateTime(_ text: String, type: String) -> String? {
        guard let value = try? TOML.parse("v = \(text)")["v"] else { return nil }
        switch (type, value) {
        case ("datetime", .offsetDateTime(let dateTime)), ("datetime-local", .localDateTime(let dateTime)):
            return dateTime.description
        case ("date-local", .localDate(let date)):
            return date.description
        case ("time-local", .localTime(let time)):
            return time.description
        default:
            return nil
        }
    }
}
