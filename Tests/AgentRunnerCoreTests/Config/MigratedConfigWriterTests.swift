import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// The backup is written before the config and never overwritten; the config keeps its mode and
/// is replaced whole; a file edited meanwhile is left alone.
final class MigratedConfigWriterTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "migrate-writer-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { [directory] in try? FileManager.default.removeItem(atPath: directory) }
    }

    func read(_ name: String) throws -> String {
        try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
    }

    func put(_ text: String, _ name: String = "agent-runner.toml") throws {
        try text.write(toFile: directory + "/" + name, atomically: false, encoding: .utf8)
    }

    func testEachRunKeepsANewBackupGeneration() throws {
        let writer = MigratedConfigWriter(path: directory + "/agent-runner.toml")
        try put("v1\n")
        XCTAssertEqual(
            try writer.write(original: Array("v1\n".utf8), migrated: Array("v2\n".utf8)),
            directory + "/agent-runner.toml.bak")
        try put("v3\n")
        XCTAssertEqual(
            try writer.write(original: Array("v3\n".utf8), migrated: Array("v4\n".utf8)),
            directory + "/agent-runner.toml.bak.2")
        try put("v5\n")
        _ = try writer.write(original: Array("v5\n".utf8), migrated: Array("v6\n".utf8))
        XCTAssertEqual(try read("agent-runner.toml"), "v6\n")
        XCTAssertEqual(try read("agent-runner.toml.bak"), "v1\n")
        XCTAssertEqual(try read("agent-runner.toml.bak.2"), "v3\n")
        XCTAssertEqual(try read("agent-runner.toml.bak.3"), "v5\n")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: directory).sorted(),
            ["agent-runner.toml", "agent-runner.toml.bak", "agent-runner.toml.bak.2", "agent-runner.toml.bak.3"])
    }

    /// serve never stashes or commits the backups (GitWorkTree excludes them like the config).
    func testExistingBackupsAreFoundAndExcludedFromTheWorkTreesStash() throws {
        let config = directory + "/agent-runner.toml"
        XCTAssertEqual(MigratedConfigWriter.existingBackups(of: config), [])
        for name in ["agent-runner.toml.bak", "agent-runner.toml.bak.3", "agent-runner.toml.bak.x"] {
            try put("old\n", name)
        }
        XCTAssertEqual(MigratedConfigWriter.existingBackups(of: config), [config + ".bak", config + ".bak.3"])
        let git = GitWorkTree(
            workDir: directory, logDir: directory + "/logs", configPath: config,
            effects: .live(), environment: [:])
        XCTAssertEqual(
            git.excludedPaths,
            ["logs", "agent-runner.toml", "agent-runner.toml.bak", "agent-runner.toml.bak.3"])
    }

    func testModeIsKeptForTheConfigAndItsBackup() throws {
        try put("secret = 1\n")
        chmod(directory + "/agent-runner.toml", 0o600)
        _ = try MigratedConfigWriter(path: directory + "/agent-runner.toml")
            .write(original: Array("secret = 1\n".utf8), migrated: Array("secret = 2\n".utf8))
        for name in ["agent-runner.toml", "agent-runner.toml.bak"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)
            XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600, name)
        }
    }

    func testAFileEditedMeanwhileIsLeftAlone() throws {
        try put("edited by hand\n")
        XCTAssertThrowsError(
            try MigratedConfigWriter(path: directory + "/agent-runner.toml")
                .write(original: Array("as read\n".utf8), migrated: Array("migrated\n".utf8))
        ) { error in
            XCTAssertEqual((error as? MigrationError)?.exitCode, ExitCode.failure)
            XCTAssertTrue("\(error)".contains("changed while migrate ran; nothing was written"), "\(error)")
        }
        XCTAssertEqual(try read("agent-runner.toml"), "edited by hand\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/agent-runner.toml.bak"))
    }

    func testASymlinkedConfigIsWrittenThroughTheLink() throws {
        try FileManager.default.createDirectory(atPath: directory + "/etc", withIntermediateDirectories: true)
        try put("old\n", "etc/real.toml")
        try FileManager.default.createSymbolicLink(
            atPath: directory + "/agent-runner.toml", withDestinationPath: "etc/real.toml")
        _ = try MigratedConfigWriter(path: directory + "/agent-runner.toml")
            .write(original: Array("old\n".utf8), migrated: Array("new\n".utf8))
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: directory + "/agent-runner.toml"), "etc/real.toml"
        )
        XCTAssertEqual(try read("etc/real.toml"), "new\n")
        XCTAssertEqual(try read("agent-runner.toml.bak"), "old\n")
    }

    /// The backup cannot be created (its name is longer than the file system allows, which fails
    /// for root too): the config is not touched.
    func testAFailedBackupLeavesTheConfigUnchanged() throws {
        let name = String(repeating: "a", count: 250) + ".toml"
        try put("v1\n", name)
        XCTAssertThrowsError(
            try MigratedConfigWriter(path: directory + "/" + name)
                .write(original: Array("v1\n".utf8), migrated: Array("v2\n".utf8))
        ) { error in
            XCTAssertEqual((error as? MigrationError)?.exitCode, ExitCode.failure)
            XCTAssertTrue("\(error)".contains("cannot write the backup"), "\(error)")
            XCTAssertTrue("\(error)".contains("was left unchanged"), "\(error)")
        }
        XCTAssertEqual(try read(name), "v1\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory), [name])
    }
}
