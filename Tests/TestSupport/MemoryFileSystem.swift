import Glibc
import XCTest
@testable import FleetCore

/// Files a test sets up in memory. Reading anything else is a missing file, as on disk; a test
/// that must not read at all uses ``UntouchableFileSystem``.
public struct MemoryFileSystem: FileSystem {
    public var files: [String: [UInt8]] = [:]
    public var directories: Set<String> = []

    public init(_ files: [String: String] = [:], directories: Set<String> = []) {
        self.files = files.mapValues { Array($0.utf8) }
        self.directories = directories
    }

    public func readFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        if directories.contains(path) { throw FileReadError(path: path, errno: EISDIR) }
        guard let bytes = files[path] else { throw FileReadError(path: path, errno: ENOENT) }
        if bytes.count > limit { throw FileReadError(path: path, errno: EFBIG) }
        return bytes
    }

    public func resolveSymlinks(_ path: String) -> String? {
        directories.contains(path) || files[path] != nil ? path : nil
    }
}

/// A file system that fails the test on any use: for code paths that must not touch files.
public struct UntouchableFileSystem: FileSystem {
    public init() {}

    public func readFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        XCTFail("this test read \(path) without setting up a file system")
        throw FileReadError(path: path, errno: EPERM)
    }

    public func resolveSymlinks(_ path: String) -> String? {
        XCTFail("this test resolved \(path) without setting up a file system")
        return nil
    }
}

/// Collects what a command writes.
public final class CapturedOutput: TextOutput, @unchecked Sendable {
    private let lock = NSLock()
    private var buffer = ""

    public func write(_ text: String) {
        lock.lock()
        buffer += text
        lock.unlock()
    }

    public var text: String {
        lock.lock()
        defer { lock.unlock() }
        return buffer
    }
}
