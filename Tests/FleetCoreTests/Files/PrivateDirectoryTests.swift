import FleetCore
import Foundation
import XCTest

#if canImport(Glibc)
    import Glibc
#endif

/// The rule for state and log directories (issue 23), over generated owners and modes, and on
/// real directories.
final class PrivateDirectoryTests: XCTestCase {
    private let me: uid_t = 1000
    private let other: uid_t = 1001

    private func name(_ uid: uid_t) -> String { uid == 0 ? "root" : "user\(uid)" }

    func testEveryOwnerAndModeOfTheDirectoryItself() {
        for owner in [me, other, 0] {
            for mode in stride(from: mode_t(0), through: 0o7777, by: 1) {
                let verdict = PrivateDirectory.judge(
                    ("/srv/state", [PrivateDirectory.Facts(owner: owner, mode: S_IFDIR | mode)]),
                    ancestors: [("/", PrivateDirectory.Facts(owner: 0, mode: S_IFDIR | 0o755))], user: me, name: name)
                let othersWrite = mode & 0o022 != 0
                XCTAssertEqual(
                    verdict == nil, owner == me && !othersWrite, "owner \(owner) mode \(String(mode, radix: 8))")
                if owner != me {
                    XCTAssertEqual(
                        verdict?.fix, "use a directory of your own, or give it to user1000: chown user1000 /srv/state")
                } else if othersWrite {
                    XCTAssertTrue(
                        verdict?.fix.hasPrefix("chmod go-w /srv/state") ?? false, "\(String(describing: verdict))")
                    XCTAssertTrue(verdict?.reason.contains("(mode 0\(String(mode, radix: 8)))") ?? false)
                }
            }
        }
    }

    func testParentsMayBeRootsOrOursAndSharedOnlyWhenSticky() {
        for owner in [me, other, 0] {
            for mode in stride(from: mode_t(0), through: 0o1777, by: 1) {
                let verdict = PrivateDirectory.judge(
                    ("/shared/state", [PrivateDirectory.Facts(owner: me, mode: S_IFDIR | 0o700)]),
                    ancestors: [
                        ("/", PrivateDirectory.Facts(owner: 0, mode: S_IFDIR | 0o755)),
                        ("/shared", PrivateDirectory.Facts(owner: owner, mode: S_IFDIR | mode)),
                    ], user: me, name: name)
                let allowed = owner != other && (mode & 0o022 == 0 || mode & S_ISVTX != 0)
                XCTAssertEqual(verdict == nil, allowed, "parent owner \(owner) mode \(String(mode, radix: 8))")
                if !allowed { XCTAssertEqual(verdict?.path, "/shared") }
            }
        }
    }

    func testALinkToTheDirectoryMustBeOursOrRoots() {
        for owner in [me, other, 0] {
            let verdict = PrivateDirectory.judge(
                (
                    "/home/me/state",
                    [
                        PrivateDirectory.Facts(owner: owner, mode: S_IFLNK | 0o777, isSymbolicLink: true),
                        PrivateDirectory.Facts(owner: me, mode: S_IFDIR | 0o700),
                    ]
                ), ancestors: [], user: me, name: name)
            XCTAssertEqual(verdict == nil, owner != other)
        }
    }

    func testRealDirectories() throws {
        let root = NSTemporaryDirectory() + "private-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: root + "/mine", withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: root) }
        chmod(root + "/mine", 0o700)
        XCTAssertNil(PrivateDirectory.problem(root + "/mine"))
        chmod(root + "/mine", 0o1777)
        let open = try XCTUnwrap(PrivateDirectory.problem(root + "/mine"))
        XCTAssertTrue(open.reason.contains("is writable by group and others (mode 01777)"), open.reason)
        chmod(root + "/mine", 0o700)
        symlink(root + "/mine", root + "/link")
        XCTAssertNil(PrivateDirectory.problem(root + "/link"), "our own link to our own directory")
        let missing = try XCTUnwrap(PrivateDirectory.problem(root + "/missing"))
        XCTAssertTrue(missing.reason.hasPrefix("cannot examine \(root)/missing: No such file"), missing.reason)
        if geteuid() == 0 {
            chown(root + "/mine", 65534, 65534)
            let foreign = try XCTUnwrap(PrivateDirectory.problem(root + "/mine"))
            XCTAssertTrue(foreign.reason.contains("belongs to \(PrivateDirectory.userName(65534))"), foreign.reason)
        }
    }
}
