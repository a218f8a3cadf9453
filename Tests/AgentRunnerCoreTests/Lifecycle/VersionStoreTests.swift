import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

final class VersionStoreTests: XCTestCase {
    var root = ""

    override func setUpWithError() throws {
        root = NSTemporaryDirectory() + "versions-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        addTeardownBlock { [root] in try? FileManager.default.removeItem(atPath: root) }
    }

    func store(keep: Int = 3) -> VersionStore {
        VersionStore(
            versionsDir: root + "/versions", binLink: root + "/bin/agent-runner", keepVersions: keep,
            fileSystem: LocalFileSystem())
    }

    func install(_ store: VersionStore, _ version: String) throws {
        let staged = try store.stage(Array("#!/bin/sh\necho agent-runner \(version)\n".utf8))
        try store.install(staged: staged, as: version)
    }

    func testStageInstallAndSwitchTheLinkAtomically() throws {
        let store = store()
        XCTAssertNil(store.linkedVersion())
        try install(store, "1.0.0")
        try install(store, "1.1.0")
        XCTAssertTrue(store.isInstalled("1.0.0"))
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: root + "/versions").sorted(), ["1.0.0", "1.1.0"],
            "no staging folder left")
        try store.switchLink(to: "1.0.0")
        XCTAssertEqual(store.linkedVersion(), "1.0.0")
        try store.switchLink(to: "1.1.0")
        XCTAssertEqual(store.linkedVersion(), "1.1.0")
        XCTAssertEqual(
            try FileManager.default.destinationOfSymbolicLink(atPath: root + "/bin/agent-runner"),
            root + "/versions/1.1.0/agent-runner")
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: root + "/bin"), ["agent-runner"],
            "the temporary link was renamed away")
        // A link pointing elsewhere is not ours.
        try FileManager.default.removeItem(atPath: root + "/bin/agent-runner")
        try FileManager.default.createSymbolicLink(
            atPath: root + "/bin/agent-runner", withDestinationPath: "/usr/bin/true")
        XCTAssertNil(store.linkedVersion())
    }

    func testStateRoundTripAndPruneKeepsCurrentPreviousAndNewest() throws {
        let store = store(keep: 3)
        XCTAssertEqual(try store.readState(), VersionStore.State())
        var state = VersionStore.State()
        for (index, version) in ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"].enumerated() {
            try install(store, version)
            store.record(
                version, sha256: String(repeating: "\(index)", count: 64), at: "2026-11-25T00:00:0\(index).000Z",
                in: &state)
        }
        store.record("1.0.0", sha256: "again", at: "later", in: &state)
        XCTAssertEqual(state.versions.count, 5, "recorded once")
        state.current = "1.1.0"
        state.previous = "1.0.0"
        XCTAssertEqual(store.prune(&state), ["1.2.0", "1.3.0"])
        XCTAssertEqual(state.versions.map(\.version), ["1.0.0", "1.1.0", "1.4.0"])
        XCTAssertFalse(store.isInstalled("1.2.0"))
        XCTAssertTrue(store.isInstalled("1.4.0"))
        try store.writeState(state)
        XCTAssertEqual(try store.readState(), state)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: store.statePath))
        XCTAssertThrowsError(try store.readState())
    }

    func testPruneLeavesFoldersWithForeignFiles() throws {
        let store = store(keep: 2)
        var state = VersionStore.State()
        for version in ["1.0.0", "1.1.0", "1.2.0"] {
            try install(store, version)
            store.record(version, sha256: "", at: "", in: &state)
        }
        try Data("notes".utf8).write(to: URL(fileURLWithPath: root + "/versions/1.0.0/NOTES"))
        state.current = "1.2.0"
        state.previous = "1.1.0"
        XCTAssertEqual(store.prune(&state), [])
        XCTAssertTrue(FileManager.default.fileExists(atPath: root + "/versions/1.0.0/NOTES"))
    }

    func testVersionsMustBePlainFolderNames() {
        for good in ["0.1.0", "1.2.3-rc.1", "2.0.0+build.5", "v3"] {
            XCTAssertTrue(VersionStore.isValidVersion(good), good)
        }
        for bad in ["", ".", "..", "1.0/..", "1 0", "a\nb", String(repeating: "1", count: 65)] {
            XCTAssertFalse(VersionStore.isValidVersion(bad), bad)
        }
    }

    /// Names the upgrade layout uses for itself, generated: hidden and staging names, names of
    /// only dots and separators, versions_dir's own files. Each is refused with a reason.
    func testNamesCollidingWithTheLayoutAreRefused() {
        var generator = SystemRandomNumberGenerator()
        let plain = Array("abcdefghijklmnopqrstuvwxyz0123456789._+-")
        func random(_ count: Int) -> String {
            String((0..<count).map { _ in plain.randomElement(using: &generator)! })
        }
        var refused: [String] = ["state.json", "STATE.JSON", "upgrade.lock", "upgrade-in-progress.json"]
        for _ in 0..<300 {
            let pid = Int.random(in: 1...4_000_000, using: &generator)
            refused.append(".staging-\(pid)-\(UInt32.random(in: 0...UInt32.max, using: &generator))")
            refused.append(".staging-" + random(Int.random(in: 0...10, using: &generator)))
            refused.append("." + random(Int.random(in: 0...20, using: &generator)))
            refused.append(String(repeating: ".", count: Int.random(in: 1...5, using: &generator)))
            refused.append(["-", "_", "+"].randomElement(using: &generator)! + random(5))
            refused.append(
                random(3) + ["/", "\\", "\u{0}", " ", "\u{301}", "\u{2215}"].randomElement(using: &generator)!
                    + random(3))
        }
        for name in refused {
            let problem = VersionStore.versionProblem(name)
            XCTAssertNotNil(problem, name)
            XCTAssertFalse(VersionStore.isValidVersion(name), name)
        }
        XCTAssertEqual(
            VersionStore.versionProblem(".staging-1"),
            "it must start with a letter or a digit (a leading '.' names the upgrader's own hidden or temporary "
                + "entries, such as its .staging-* folders)")
        for _ in 0..<300 {
            let version = (0..<3).map { _ in String(Int.random(in: 0...999, using: &generator)) }.joined(separator: ".")
            let suffix = Bool.random(using: &generator) ? "" : "-rc." + String(Int.random(in: 1...9, using: &generator))
            XCTAssertNil(VersionStore.versionProblem(version + suffix), version + suffix)
        }
    }

    /// A real build that reports a name of the layout's own is refused before it is installed.
    func testABuildReportingAStagingNameIsRefused() throws {
        let root = NSTemporaryDirectory() + "smoke-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        let smoke = UpgradeSmoke(effects: .live(), environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(20))
        for reported in [".staging-1", ".staging-\(getpid())-42", "..", "state.json", "-rf"] {
            let build = root + "/build"
            try "#!/bin/sh\necho 'agent-runner \(reported)'\n".write(toFile: build, atomically: true, encoding: .utf8)
            chmod(build, 0o755)
            XCTAssertThrowsError(try smoke.version(of: build)) { error in
                XCTAssertTrue(
                    "\(error)".contains("reports version \"\(reported)\", which cannot name a build"), "\(error)")
                XCTAssertTrue("\(error)".contains("refusing the build"), "\(error)")
            }
        }
        try "#!/bin/sh\necho 'agent-runner 1.2.3'\n".write(toFile: root + "/build", atomically: true, encoding: .utf8)
        chmod(root + "/build", 0o755)
        XCTAssertEqual(try smoke.version(of: root + "/build"), "1.2.3")
    }
}
