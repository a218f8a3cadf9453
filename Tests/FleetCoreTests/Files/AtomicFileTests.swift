import FleetCore
import Foundation
import XCTest

final class AtomicFileTests: XCTestCase {
    private func entries(_ directory: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    }

    func testCreatesAndReplacesWithoutLeavingTemporaryFiles() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/state.json"
        try AtomicFile.write(Array("old".utf8), to: path)
        XCTAssertEqual(try fileBytes(path), Array("old".utf8))
        try AtomicFile.write("new contents", to: path, mode: 0o600)
        XCTAssertEqual(try fileBytes(path), Array("new contents".utf8))
        XCTAssertEqual(try entries(directory), ["state.json"])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        try AtomicFile.write([], to: path)
        XCTAssertEqual(try fileBytes(path), [])
    }

    func testFailureInMissingDirectoryIsClearAndLeavesNothing() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/missing/state.json"
        XCTAssertThrowsError(try AtomicFile.write(Array("x".utf8), to: path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(path), message)
            XCTAssertTrue(message.contains("ENOENT"), message)
            XCTAssertTrue(message.contains("does not exist"), message)
            XCTAssertEqual((error as? FileError)?.errorNumber, ENOENT)
        }
        XCTAssertEqual(try entries(directory), [])
    }

    /// The rename fails (a directory stands at the target): the old target is untouched and the
    /// temporary file, already written and synced, is removed.
    func testFailureAtRenameKeepsOldTargetAndRemovesTemporary() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/target"
        try FileManager.default.createDirectory(atPath: path + "/inside", withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write(Array("x".utf8), to: path)) { error in
            let message = "\(error)"
            XCTAssertTrue(message.contains(path), message)
            XCTAssertTrue(message.contains("unchanged"), message)
        }
        XCTAssertEqual(try entries(directory), ["target"])
        XCTAssertEqual(try entries(path), ["inside"])
    }

    /// createNew never replaces: a second call for the same path writes nothing and says so.
    func testCreateNewNeverReplacesAndLeavesNoTemporaryFile() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/backup"
        XCTAssertTrue(try AtomicFile.createNew(Array("first".utf8), at: path, mode: 0o600))
        XCTAssertFalse(try AtomicFile.createNew(Array("second".utf8), at: path))
        XCTAssertEqual(try fileBytes(path), Array("first".utf8))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertEqual(try entries(directory), ["backup"])
        XCTAssertThrowsError(try AtomicFile.createNew([], at: directory + "/missing/backup"))
    }

    /// Readers racing a stream of replacements only ever see one complete version.
    func testConcurrentReadersSeeOldOrNewNeverPartial() throws {
        let directory = try makeTemporaryDirectory(self)
        let path = directory + "/state"
        let versions = (0..<4).map { [UInt8](repeating: UInt8(ascii: "a") + UInt8($0), count: 200_000) }
        try AtomicFile.write(versions[0], to: path)
        let done = DispatchSemaphore(value: 0)
        let reader = Thread {
            for _ in 0..<300 {
                let seen = (try? fileBytes(path)) ?? []
                if !versions.contains(seen) { XCTFail("saw a partial or mixed file of \(seen.count) bytes") }
            }
            done.signal()
        }
        reader.start()
        for round in 1..<60 { try AtomicFile.write(versions[round % 4], to: path) }
        done.wait()
        XCTAssertEqual(try entries(directory), ["state"])
    }
}
