import FleetCore
import Foundation
import TestSupport
import XCTest

/// `FileSystem.directoryNames`: the one directory listing the stores and readers share, on disk
/// and in the in-memory fake the loop tests use.
final class DirectoryNamesTests: XCTestCase {
    func testTheDiskListsEntriesWithoutDotsAndAnUnreadableDirectoryIsEmpty() throws {
        let directory = NSTemporaryDirectory() + "names-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        for name in ["a.json", ".hidden", "é ü"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data()))
        }
        let disk = LocalFileSystem()
        XCTAssertEqual(disk.directoryNames(directory).sorted(), [".hidden", "a.json", "sub", "é ü"])
        XCTAssertEqual(disk.directoryNames(directory + "/missing"), [])
        XCTAssertEqual(disk.directoryNames(directory + "/a.json"), [], "a file is not a directory")
    }

    func testTheFakeListsFilesAndTheDirectoriesTheyImply() {
        let fake = MemoryFileSystem(
            ["/logs/rounds/R1.log": "", "/logs/rounds/R2.log": "", "/logs/events.jsonl": "", "/other/x": ""],
            directories: ["/logs/empty"])
        XCTAssertEqual(fake.directoryNames("/logs").sorted(), ["empty", "events.jsonl", "rounds"])
        XCTAssertEqual(fake.directoryNames("/logs/rounds/").sorted(), ["R1.log", "R2.log"])
        XCTAssertEqual(fake.directoryNames("/missing"), [])
    }
}
