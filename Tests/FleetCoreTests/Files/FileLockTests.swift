import FleetCore
import Foundation
import XCTest

final class FileLockTests: XCTestCase {
    func testSecondAcquireFailsWithHolderPIDUntilReleased() throws {
        let path = try makeTemporaryDirectory(self) + "/agent-runner.lock"
        let lock = try FileLock.acquire(path)
        XCTAssertEqual(String(decoding: try fileBytes(path), as: UTF8.self), "\(getpid())\n")

        XCTAssertThrowsError(try FileLock.acquire(path)) { error in
            let held = error as? FileLock.HeldError
            XCTAssertEqual(held?.holderPID, getpid())
            let message = "\(error)"
            XCTAssertTrue(message.contains("process \(getpid())"), message)
            XCTAssertTrue(message.contains(path), message)
        }
        XCTAssertEqual(try runShell("flock -n '\(path)' true"), 1, "another process must not get the lock")

        lock.release()
        lock.release()
        XCTAssertEqual(try runShell("flock -n '\(path)' true"), 0)
        let again = try FileLock.acquire(path)
        again.release()
    }

    func testDeinitReleases() throws {
        let path = try makeTemporaryDirectory(self) + "/lock"
        do {
            _ = try FileLock.acquire(path)
        }
        XCTAssertEqual(try runShell("flock -n '\(path)' true"), 0)
    }

    func testHolderWithoutRecordedPIDIsReported() throws {
        let path = try makeTemporaryDirectory(self) + "/lock"
        let shell = Process()
        shell.executableURL = URL(fileURLWithPath: "/bin/sh")
        // The lock is held by fd 9, which `sleep` inherits; nothing writes a pid into the file.
        shell.arguments = ["-c", "exec 9>>'\(path)'; flock 9; exec sleep 30"]
        try shell.run()
        defer {
            shell.terminate()
            shell.waitUntilExit()
        }
        var error: Error?
        for _ in 0..<200 {
            do {
                let lock = try FileLock.acquire(path)
                lock.release()
                usleep(10_000)
            } catch let held {
                error = held
                break
            }
        }
        let held = try XCTUnwrap(error as? FileLock.HeldError)
        XCTAssertNil(held.holderPID)
        XCTAssertTrue("\(held)".contains("another process"), "\(held)")
    }

    func testBlockingAcquireWaitsForRelease() throws {
        let path = try makeTemporaryDirectory(self) + "/lock"
        let lock = try FileLock.acquire(path)
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.2) { lock.release() }
        let started = Date()
        let second = try FileLock.acquire(path, nonBlocking: false)
        XCTAssertGreaterThan(Date().timeIntervalSince(started), 0.1)
        second.release()
    }

    /// Children spawned while the lock is held must not inherit its descriptor.
    func testLockDescriptorIsNotInheritedByChildren() throws {
        let path = try makeTemporaryDirectory(self) + "/lock"
        let lock = try FileLock.acquire(path)
        let child = try spawnInheritingDescriptors(["sleep", "5"])
        defer {
            kill(child, SIGKILL)
            waitForChild(child)
        }
        let descriptors = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(child)/fd")
        XCTAssertFalse(descriptors.isEmpty)
        let targets = descriptors.compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child)/fd/\($0)")
        }
        XCTAssertFalse(targets.contains(path), "child inherited the lock: \(targets)")
        lock.release()
        XCTAssertEqual(try runShell("flock -n '\(path)' true"), 0, "a child must not keep the lock alive")
    }

    func testUnopenableLockFileIsAClearError() throws {
        let path = try makeTemporaryDirectory(self) + "/missing/lock"
        XCTAssertThrowsError(try FileLock.acquire(path)) { error in
            XCTAssertTrue("\(error)".contains(path), "\(error)")
            XCTAssertEqual((error as? FileError)?.errorNumber, ENOENT)
        }
    }
}
