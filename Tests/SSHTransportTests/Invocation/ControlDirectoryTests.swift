import Foundation
import Glibc
import XCTest

@testable import SSHTransport

final class ControlDirectoryTests: XCTestCase {
    private var base = ""

    override func setUpWithError() throws {
        var template = Array("/tmp/ctltest.XXXXXX".utf8CString)
        base = String(cString: try XCTUnwrap(mkdtemp(&template)))
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: base)
    }

    func testDefaultPathPrefersAShortRuntimeDirectory() {
        XCTAssertEqual(
            ControlDirectory.defaultPath(environment: ["XDG_RUNTIME_DIR": "/run/user/1000"], userID: 1000),
            "/run/user/1000/fleetctl-ssh")
        XCTAssertEqual(ControlDirectory.defaultPath(environment: [:], userID: 1000), "/tmp/fleetctl-ssh-1000")
        XCTAssertEqual(
            ControlDirectory.defaultPath(environment: ["XDG_RUNTIME_DIR": "relative"], userID: 5), "/tmp/fleetctl-ssh-5"
        )
        let long = "/" + String(repeating: "r", count: 60)
        XCTAssertEqual(
            ControlDirectory.defaultPath(environment: ["XDG_RUNTIME_DIR": long], userID: 5), "/tmp/fleetctl-ssh-5")
        XCTAssertEqual(ControlDirectory.maximumPathLength, 49)
    }

    func testPrepareCreatesAPrivateDirectory() throws {
        let path = base + "/ctl"
        try ControlDirectory.prepare(path)
        XCTAssertEqual(try mode(path), 0o700)
        try ControlDirectory.prepare(path)  // idempotent
    }

    func testPrepareTightensALooseDirectoryOfOurs() throws {
        let path = base + "/ctl"
        XCTAssertEqual(mkdir(path, 0o755), 0)
        chmod(path, 0o777)
        try ControlDirectory.prepare(path)
        XCTAssertEqual(try mode(path), 0o700)
    }

    func testPrepareRefusesSymlinksFilesAndForeignDirectories() throws {
        let link = base + "/link"
        let real = base + "/real"
        XCTAssertEqual(mkdir(real, 0o700), 0)
        XCTAssertEqual(symlink(real, link), 0)
        XCTAssertThrowsError(try ControlDirectory.prepare(link)) { error in
            XCTAssertTrue("\(error)".contains("not a directory"), "\(error)")
        }
        let file = base + "/file"
        XCTAssertTrue(FileManager.default.createFile(atPath: file, contents: nil))
        XCTAssertThrowsError(try ControlDirectory.prepare(file))
        XCTAssertThrowsError(try ControlDirectory.prepare(base + "/missing/ctl")) { error in
            XCTAssertTrue("\(error)".contains("cannot create"), "\(error)")
        }

        guard geteuid() == 0 else { return }
        let foreign = base + "/foreign"
        XCTAssertEqual(mkdir(foreign, 0o700), 0)
        XCTAssertEqual(chown(foreign, 65534, 65534), 0)
        XCTAssertThrowsError(try ControlDirectory.prepare(foreign)) { error in
            XCTAssertEqual((error as? SSHSetupError)?.code, .controlDirectory)
            XCTAssertTrue("\(error)".contains("belongs to uid 65534"), "\(error)")
        }
    }

    private func mode(_ path: String) throws -> mode_t {
        var info = stat()
        XCTAssertEqual(lstat(path, &info), 0)
        return info.st_mode & 0o7777
    }
}
