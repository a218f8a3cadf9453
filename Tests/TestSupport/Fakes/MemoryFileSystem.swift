import Glibc
import Synchronization
import XCTest

@testable import FleetCore

/// Files a test sets up in memory; writes land in memory too. Reading anything else is a
/// missing file, as on disk; a test that must not touch files at all uses
/// ``UntouchableFileSystem``. Copies share their storage (the file system is one place).
public struct MemoryFileSystem: FileSystem {
    private final class Storage: Sendable {
        let state: Mutex<(files: [String: [UInt8]], directories: Set<String>)>
        init(files: [String: [UInt8]], directories: Set<String>) {
            state = Mutex((files, directories))
        }
    }

    private let storage: Storage

    public init(_ files: [String: String] = [:], directories: Set<String> = []) {
        storage = Storage(files: files.mapValues { Array($0.utf8) }, directories: directories)
    }

    /// Files given as bytes (binary content such as zone files).
    public init(bytes files: [String: [UInt8]], directories: Set<String> = []) {
        storage = Storage(files: files, directories: directories)
    }

    /// Every file's content as text.
    public var files: [String: String] {
        storage.state.withLock { $0.files.mapValues { String(decoding: $0, as: UTF8.self) } }
    }

    public func readFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        let (bytes, isDirectory) = storage.state.withLock { ($0.files[path], $0.directories.contains(path)) }
        if isDirectory { throw FileReadError(path: path, errno: EISDIR) }
        guard let bytes else { throw FileReadError(path: path, errno: ENOENT) }
        if bytes.count > limit { throw FileReadError(path: path, errno: EFBIG) }
        return bytes
    }

    public func resolveSymlinks(_ path: String) -> String? {
        exists(path) ? path : nil
    }

    public func exists(_ path: String) -> Bool {
        storage.state.withLock { $0.directories.contains(path) || $0.files[path] != nil }
    }

    public func removeFile(_ path: String) {
        _ = storage.state.withLock { $0.files.removeValue(forKey: path) }
    }

    public func createDirectory(_ path: String) -> Int32? {
        storage.state.withLock { state in
            var current = ""
            for component in path.split(separator: "/") {
                current += "/" + component
                if state.files[current] != nil { return ENOTDIR }
                state.directories.insert(current)
            }
            return nil
        }
    }

    public func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        storage.state.withLock { $0.files[path] = bytes }
    }

    public func append(_ bytes: [UInt8], to path: String) throws {
        storage.state.withLock { $0.files[path, default: []] += bytes }
    }

    public func tail(of path: String, bytes count: Int) -> [UInt8] {
        storage.state.withLock { Array(($0.files[path] ?? []).suffix(count)) }
    }

    public func directoryNames(_ path: String) -> [String] {
        let prefix = path.hasSuffix("/") ? path : path + "/"
        // Each file or directory below `path` names its first component: a file deeper down
        // implies the directories on its way, as on a disk.
        let names = storage.state.withLock { state in
            (Array(state.files.keys) + Array(state.directories)).compactMap { entry -> String? in
                guard entry.hasPrefix(prefix) else { return nil }
                let first = entry.dropFirst(prefix.count).split(separator: "/").first
                return first.map(String.init)
            }
        }
        return Array(Set(names))
    }
}

/// A file system that fails the test on any use: for code paths that must not touch files.
public struct UntouchableFileSystem: FileSystem {
    public init() {}

    private func touched(_ what: String, _ path: String) {
        XCTFail("this test \(what) \(path) without setting up a file system")
    }

    public func readFile(_ path: String, limit: Int) throws(FileReadError) -> [UInt8] {
        touched("read", path)
        throw FileReadError(path: path, errno: EPERM)
    }

    public func resolveSymlinks(_ path: String) -> String? {
        touched("resolved", path)
        return nil
    }

    public func exists(_ path: String) -> Bool {
        touched("checked", path)
        return false
    }

    public func removeFile(_ path: String) {
        touched("removed", path)
    }

    public func createDirectory(_ path: String) -> Int32? {
        touched("created", path)
        return EPERM
    }

    public func writeAtomically(_ bytes: [UInt8], to path: String, mode: mode_t) throws {
        touched("wrote", path)
        throw FileError(path: path, message: "untouchable")
    }

    public func append(_ bytes: [UInt8], to path: String) throws {
        touched("appended to", path)
        throw FileError(path: path, message: "untouchable")
    }

    public func tail(of path: String, bytes count: Int) -> [UInt8] {
        touched("read", path)
        return []
    }

    public func directoryNames(_ path: String) -> [String] {
        touched("listed", path)
        return []
    }
}

/// Collects what a command writes.
public final class CapturedOutput: TextOutput, Sendable {
    private let buffer = Mutex("")

    public init() {}

    public func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    public var text: String {
        buffer.withLock { $0 }
    }
}
