import FleetCore
import Foundation
import XCTest

@testable import AgentRunnerCore

/// `paths_hash` equals what the original's `compute_paths_hash` (cli-agent-runner 0.3.14) gives
/// for the same tree and globs; the expected values were computed with it.
final class SubstrateFingerprintTests: XCTestCase {
    func tree() throws -> String {
        let made = NSTemporaryDirectory() + "substrate-" + UUID().uuidString
        let root = URL(fileURLWithPath: made).resolvingSymlinksInPath().path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        for directory in ["src/pkg", "docs", "a-b", "a"] {
            try FileManager.default.createDirectory(atPath: root + "/" + directory, withIntermediateDirectories: true)
        }
        let files = [
            "src/a.py": "print(1)\n", "src/pkg/b.py": "x = 2\n", "src/pkg/.hidden.py": "hidden\n",
            "docs/readme.md": "# docs\n",
            "notes.txt": "notes\n", "a-b/c.py": "c\n", "a/b.py": "b\n",
        ]
        for (path, text) in files { try text.write(toFile: root + "/" + path, atomically: true, encoding: .utf8) }
        try FileManager.default.createSymbolicLink(atPath: root + "/link", withDestinationPath: "src")
        return root
    }

    func testTheHashIsTheOriginals() throws {
        let root = try tree()
        func hash(_ patterns: [String]) -> String? { SubstrateFingerprint(workDir: root, patterns: patterns).hash() }
        XCTAssertEqual(
            hash(["src/**/*.py", "*.txt", "a*/*.py", "link/a.py", "missing/*.py"]),
            "56d2482dabcc8908364a7f57a6cb7418820c3d124a84c75b1a7e19a05257872c")
        XCTAssertEqual(hash(["**/*.md"]), "be5f23d0d667fa0a44d3204c992cedc2c946cc86ad8d89abc7efe795e7a64396")
        XCTAssertEqual(
            hash(["link/**/*.py"]), "2d79b423f8732f82610171f661ed99f510905c0034abab77a56e11a6aac7b61a",
            "through the symlink, the files count under their real paths")
        XCTAssertNil(hash(["missing/*.py"]), "nothing matched")
        XCTAssertNil(hash([]), "no patterns")
    }

    func testGlobFollowsPathlib() throws {
        let root = try tree()
        let relative = { (pattern: String) in
            SubstrateFingerprint.glob(pattern, in: root).map { String($0.dropFirst(root.count + 1)) }.sorted()
        }
        XCTAssertEqual(
            relative("**/*.py"), ["a-b/c.py", "a/b.py", "src/a.py", "src/pkg/.hidden.py", "src/pkg/b.py"],
            "`*` matches dot files; `**` does not enter the symlinked directory")
        XCTAssertEqual(relative("src/*"), ["src/a.py", "src/pkg"])
        XCTAssertEqual(relative("./notes.txt"), ["notes.txt"])
    }

    func testAChangedFileChangesTheHash() throws {
        let root = try tree()
        let fingerprint = SubstrateFingerprint(workDir: root, patterns: ["src/**/*.py"])
        let before = fingerprint.hash()
        try "x = 3\n".write(toFile: root + "/src/pkg/b.py", atomically: true, encoding: .utf8)
        XCTAssertNotEqual(fingerprint.hash(), before)
    }
}
