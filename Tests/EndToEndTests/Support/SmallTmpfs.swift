import FleetCore
import Foundation
import Glibc
import XCTest

/// A real, small tmpfs for disk-full tests: mounted in a fresh temporary directory, unmounted
/// when the test ends. serve samples the partition of its log dir (statvfs) at each round's
/// start and end, so a project created under ``path`` and a ``fill(pastPercent:)`` make peek
/// report a genuinely full disk, the way a host's would look.
///
/// Mounting needs root (or CAP_SYS_ADMIN). Where it is refused, `init` throws and the test
/// fails with mount's own words: a disk_critical test that cannot fill a disk has tested nothing.
final class SmallTmpfs {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The mount point.
    let path: String
    private var fillers = 0

    init(_ test: XCTestCase, sizeKiB: Int = 16 * 1024) throws {
        path = try Harness.temporaryDirectory(test) + "/tmpfs"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mount = try PosixProcessRunner().run(
            ProcessRequest(
                "mount", arguments: ["-t", "tmpfs", "-o", "size=\(sizeKiB)k,mode=0755", "tmpfs", path],
                deadline: .now + .seconds(10)))
        guard mount.exit.isSuccess else {
            throw Failure(
                description:
                    "cannot mount a \(sizeKiB) KiB tmpfs at \(path) (\(mount.exit)): \(mount.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)); "
                    + "the disk tests need a real small filesystem: run them as root where mount is allowed (a container with CAP_SYS_ADMIN)"
            )
        }
        let path = self.path
        test.addTeardownBlock { SmallTmpfs.unmount(path) }
    }

    /// The used share of the filesystem as serve computes it: used / (used + available), in percent.
    var usedPercent: Double {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return 0 }
        let used = Double(stats.f_blocks - stats.f_bfree)
        let available = Double(stats.f_bavail)
        return used + available > 0 ? used / (used + available) * 100 : 0
    }

    /// Writes a file of zeros so that at least `percent` of the filesystem is used, leaving
    /// the rest for the event log, metrics and round logs of a few rounds. Fails when the
    /// filesystem is already too full to leave that room.
    func fill(pastPercent percent: Double) throws {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else {
            throw Failure(description: "statvfs \(path): \(String(cString: strerror(errno)))")
        }
        let blockSize = Int(stats.f_frsize)
        let total = Int(stats.f_blocks)
        let used = total - Int(stats.f_bfree)
        let targetBlocks = Int((Double(total) * (percent + 1) / 100).rounded(.up))
        guard targetBlocks > used else { throw Failure(description: "\(path) is already \(usedPercent) % used") }
        fillers += 1
        let filler = path + "/filler-\(fillers)"
        try Data(count: (targetBlocks - used) * blockSize).write(to: URL(fileURLWithPath: filler))
        guard usedPercent >= percent else {
            throw Failure(
                description: "\(path) is \(usedPercent) % used after writing \(filler), not past \(percent) %")
        }
    }

    /// Deletes what ``fill(pastPercent:)`` wrote.
    func drain() throws {
        for index in stride(from: fillers, through: 1, by: -1) {
            try FileManager.default.removeItem(atPath: path + "/filler-\(index)")
        }
        fillers = 0
    }

    /// `umount`, and a lazy one if something (a serve the test did not stop) still holds it busy.
    private static func unmount(_ path: String) {
        let runner = PosixProcessRunner()
        let plain = try? runner.run(ProcessRequest("umount", arguments: [path], deadline: .now + .seconds(10)))
        if plain?.exit.isSuccess != true {
            _ = try? runner.run(ProcessRequest("umount", arguments: ["-l", path], deadline: .now + .seconds(10)))
        }
    }
}
