import FleetCore
import Foundation
import TestSupport
import XCTest

@testable import AgentRunnerCore

/// migrate edits the byte ranges TOMLLayout finds, so the scanner is held to the TOML parser
/// on every valid file of the toml-test suite: each statement's value text parses to the value
/// the document holds at its path, and statements come in file order without overlapping.
final class TOMLLayoutTests: XCTestCase {
    func suite() throws -> String {
        if let override = ProcessInfo.processInfo.environment["TOML_TEST_DIR"], !override.isEmpty { return override }
        var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("shared/toml-test/tests").path
            if FileManager.default.fileExists(atPath: candidate + "/files-toml-1.0.0") { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        XCTFail("toml-test suite not found (set TOML_TEST_DIR, or lay out ../shared/toml-test beside the checkout)")
        throw MissingPrerequisite("no toml-test suite")
    }

    func value(at path: [String], in table: TOMLTable) -> TOMLValue? {
        var current = TOMLValue.table(table)
        for key in path {
            guard case .table(let next) = current, let value = next[key] else { return nil }
            current = value
        }
        return current
    }

    func testEveryStatementOfTheValidSuiteHasTheParsersValue() throws {
        let root = try suite()
        let list = try String(contentsOfFile: root + "/files-toml-1.0.0", encoding: .utf8)
        var checked = 0
        for name in list.split(separator: "\n") where name.hasPrefix("valid/") && name.hasSuffix(".toml") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + name)))
            guard let document = try? TOML.parse(bytes) else { continue }
            let layout = TOMLLayout(bytes)
            var end = 0
            for statement in layout.keyValues {
                XCTAssertGreaterThanOrEqual(statement.statement.lowerBound, end, "\(name): statements overlap")
                end = statement.statement.upperBound
                guard statement.statement.upperBound <= bytes.count else {
                    XCTFail("\(name):\(statement.firstLine): the statement runs past the end of the file")
                    break
                }
                if let header = statement.header, layout.headers[header].isArrayOfTables { continue }
                if layout.headers.contains(where: { $0.isArrayOfTables && statement.path.starts(with: $0.path) }) {
                    continue
                }
                let text = "x = " + layout.text(statement.value)
                guard let alone = try? TOML.parse(text) else {
                    XCTFail("\(name):\(statement.firstLine): value text \(text) does not parse alone")
                    continue
                }
                let expected = value(at: statement.path, in: document)
                if case .float(let a)? = alone["x"], case .float(let b)? = expected, a.isNaN, b.isNaN { continue }
                XCTAssertEqual(alone["x"], expected, "\(name):\(statement.firstLine) \(statement.path)")
                checked += 1
            }
            let arrays = layout.headers.filter(\.isArrayOfTables).map(\.path)
            for header in layout.headers where !arrays.contains(where: { header.path.starts(with: $0) }) {
                guard case .table? = value(at: header.path, in: document) else {
                    XCTFail("\(name):\(header.line): header \(header.path) is not a table of the document")
                    continue
                }
            }
        }
        XCTAssertGreaterThan(checked, 300, "statements checked")
    }

    /// Whatever valid TOML migrate is given, it never hits its internal-error guard (a rewrite
    /// that would change a value nobody asked to change) and what it would write parses.
    func testMigratingAnyValidTOMLNeverBreaksIt() throws {
        let root = try suite()
        let list = try String(contentsOfFile: root + "/files-toml-1.0.0", encoding: .utf8)
        let loader = AgentRunnerConfigLoader(
            environment: ConfigEnvironment(home: "/home/op", currentDirectory: "/srv"),
            fileSystem: MemoryFileSystem(directories: ["/srv"]))
        let migrator = ConfigMigrator(
            loader: loader, configPath: "/srv/agent-runner.toml", displayPath: "agent-runner.toml")
        var migrated = 0
        for name in list.split(separator: "\n") where name.hasPrefix("valid/") && name.hasSuffix(".toml") {
            let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: root + "/" + name)))
            guard (try? TOML.parse(bytes)) != nil else { continue }
            do {
                let migration = try migrator.migrate(bytes)
                XCTAssertNoThrow(try TOML.parse(migration.migrated), "\(name)")
                if migration.changesText { migrated += 1 }
            } catch {
                XCTAssertNotEqual(error.exitCode, ExitCode.software, "\(name): \(error)")
            }
        }
        XCTAssertGreaterThan(migrated, 100, "files that got at least the schema_version stamp")
    }

    func testLinesAndRanges() {
        let layout = TOMLLayout(Array("a = 1\r\n[t]  # c\n\"q.k\" . b = [\n  1, # x\n  2,\n]\ns = '''\nz'''\n".utf8))
        XCTAssertEqual(layout.newline, "\r\n")
        XCTAssertEqual(layout.headers.map(\.path), [["t"]])
        XCTAssertEqual(layout.keyValues.map(\.path), [["a"], ["t", "q.k", "b"], ["t", "s"]])
        XCTAssertEqual(layout.keyValues.map(\.firstLine), [1, 3, 7])
        XCTAssertEqual(layout.keyValues.map(\.lastLine), [1, 6, 8])
        XCTAssertEqual(layout.text(layout.keyValues[1].lastKey), "b")
        XCTAssertEqual(layout.line(of: ["t"]), 2)
        XCTAssertEqual(layout.text(layout.lines(3, 6)), "\"q.k\" . b = [\n  1, # x\n  2,\n]\n")
    }
}
