import FleetCore
import Foundation
import XCTest

/// The log dir holds unredacted transcripts: it is made 0700 (an existing one of ours tightened),
/// and the files we append to and the output files of processes we spawn are 0600.
final class PrivateFilesTests: XCTestCase {
    func testPrivateDirectoriesAndFilesAreTheOwnersOnly() throws {
        let root = try makeTemporaryDirectory(self)
        let fresh = root + "/a/logs"
        XCTAssertNil(LocalFileSystem().createPrivateDirectory(fresh))
        XCTAssertEqual(try Self.mode(fresh), 0o700)
        let loose = root + "/loose"
        XCTAssertEqual(mkdir(loose, 0o755), 0)
        XCTAssertNil(LocalFileSystem().createPrivateDirectory(loose))
        XCTAssertEqual(
            try Self.mode(loose), 0o700, "an existing log dir of ours (an earlier build's 0755) is tightened")
        let open = root + "/open"
        XCTAssertEqual(mkdir(open, 0o755), 0)
        XCTAssertEqual(chmod(open, 0o775), 0)
        XCTAssertNil(LocalFileSystem().createPrivateDirectory(open))
        XCTAssertEqual(
            try Self.mode(open), 0o775, "one others could write in is left for PrivateDirectory to refuse, not hidden")
        XCTAssertNotNil(LocalFileSystem().privateDirectoryProblem(open))

        try LocalFileSystem().append(Array("line\n".utf8), to: fresh + "/appended.log")
        XCTAssertEqual(try Self.mode(fresh + "/appended.log"), 0o600)
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                "/bin/sh", arguments: ["-c", "echo transcript"], standardOutput: .appendToFile(fresh + "/R1.log"),
                standardError: .mergeIntoStandardOutput, deadline: .now + .seconds(20)))
        XCTAssertTrue(output.exit.isSuccess)
        XCTAssertEqual(try Self.mode(fresh + "/R1.log"), 0o600)
    }

    static func mode(_ path: String) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
    }
}
