import FleetCore
import Foundation
import Synchronization
import TestSupport
import XCTest

/// A fresh directory under the system temp dir, removed when the test ends.
func makeTemporaryDirectory(_ test: XCTestCase, file: StaticString = #filePath, line: UInt = #line) throws -> String {
    let path = NSTemporaryDirectory() + "fleetcore-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// The bytes of a file.
func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

/// Writes raw bytes to a file, replacing it.
func writeBytes(_ bytes: [UInt8], at path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

/// Appends raw bytes to a file (creating it).
func appendRaw(_ bytes: [UInt8], to path: String) throws {
    if !FileManager.default.fileExists(atPath: path) {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
    }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? handle.close() }
    try handle.seekToEnd()
    try handle.write(contentsOf: Data(bytes))
}

/// Runs `/bin/sh -c script` and returns its exit status.
@discardableResult
func runShell(_ script: String) throws -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", script]
    try process.run()
    process.waitUntilExit()
    return process.terminationStatus
}

/// A clock the test moves by hand.
final class ManualClock: WallClock {
    private let current: Mutex<UTCInstant>

    init(_ timestamp: String) {
        current = Mutex(EventTimestamp.parse(timestamp) ?? UTCInstant(seconds: 0))
    }

    func now() -> UTCInstant { current.withLock { $0 } }

    func set(_ timestamp: String) {
        guard let instant = EventTimestamp.parse(timestamp) else { return XCTFail("bad timestamp \(timestamp)") }
        current.withLock { $0 = instant }
    }
}

/// The newline-terminated lines of a file (an unterminated tail is left out).
func completeLines(of path: String) throws -> [[UInt8]] {
    try fileBytes(path).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast().map(
        Array.init)
}

/// Starts `argv` with `posix_spawnp`, which (unlike Foundation's `Process`) closes nothing:
/// the child inherits every descriptor not marked close-on-exec.
func spawnInheritingDescriptors(_ argv: [String]) throws -> pid_t {
    var pid: pid_t = 0
    var cArguments = argv.map { strdup($0) } + [nil]
    defer { cArguments.forEach { free($0) } }
    let status = posix_spawnp(&pid, argv[0], nil, nil, &cArguments, environ)
    guard status == 0 else { throw NSError(domain: "spawn", code: Int(status)) }
    return pid
}

/// Waits for a child and returns its exit status.
@discardableResult
func waitForChild(_ pid: pid_t) -> Int32 {
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    return (status >> 8) & 0xFF
}
