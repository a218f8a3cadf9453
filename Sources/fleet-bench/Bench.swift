import FleetCore
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Shared helpers: temp dirs, shell, locating the built binaries, sampling a process's memory.
enum Bench {
    /// The folder holding the built products (fleet-bench lives beside agent-runner and fleetctl).
    static var productsDirectory: String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return "." }
        let path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return ConfigPaths.directory(of: path)
    }

    /// `name` beside fleet-bench, or the file `FLEET_BENCH_<NAME>` names (`FLEET_BENCH_AGENT_RUNNER=dist/...`):
    /// scripts/build-release builds the shipped agent-runner apart (-Osize), so it is measured from dist/.
    static func binary(_ name: String) -> String {
        let variable = "FLEET_BENCH_" + name.uppercased().replacingAll("-", with: "_")
        var path = ProcessEnvironment.current()[variable] ?? productsDirectory + "/" + name
        // Scenarios run it from their own temporary directories.
        if !path.hasPrefix("/") { path = ProcessEnvironment.currentDirectory() + "/" + path }
        guard Directories.isExecutableFile(path) else {
            fail("\(path) is missing; build it first: swift build -c release")
        }
        return path
    }

    static func fail(_ message: String) -> Never {
        FileDescriptorOutput.standardError.write("fleet-bench: \(message)\n")
        let pending = cleanups.withLock { list in
            defer { list = [] }  // a cleanup that fails itself must not run them again
            return list.reversed()
        }
        for cleanup in pending { cleanup() }
        exit(1)
    }

    /// What a failing scenario must still undo (its sshd processes, ControlMasters, temp dirs),
    /// newest first, before the bench exits.
    private static let cleanups = Mutex<[@Sendable () -> Void]>([])

    /// Registers `cleanup` for ``fail(_:)``; returns its slot for ``forgetCleanup(_:)``.
    static func onFailure(_ cleanup: @escaping @Sendable () -> Void) -> Int {
        cleanups.withLock { list in
            list.append(cleanup)
            return list.count - 1
        }
    }

    /// Drops the cleanup registered at `slot` once its scenario cleaned up itself.
    static func forgetCleanup(_ slot: Int) {
        cleanups.withLock { list in if slot < list.count { list[slot] = {} } }
    }

    static func say(_ text: String) {
        FileDescriptorOutput.standardOutput.write(text + "\n")
    }

    static func temporaryDirectory(_ label: String) -> String {
        var template = Array("/tmp/fleet-bench-\(label)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { fail("cannot create a temporary directory") }
        return String(cString: made)
    }

    @discardableResult
    static func shell(_ script: String, in directory: String? = nil, timeoutS: Int = 600) -> ProcessOutput {
        do {
            return try PosixProcessRunner().run(
                ProcessRequest(
                    "/bin/sh", arguments: ["-c", script], workingDirectory: directory,
                    deadline: .now + .seconds(timeoutS)))
        } catch {
            fail("cannot run sh: \(error)")
        }
    }

    /// Resident set size of `pid` in KiB (VmRSS), or nil when it has exited.
    static func rssKiB(_ pid: pid_t) -> Int? {
        field("VmRSS:", in: "/proc/\(pid)/status")
    }

    /// Memory of `pid` in KiB: resident, anonymous (private to it) and proportional set size
    /// (shared file pages such as the binary's code divided among the processes using them).
    static func memoryKiB(_ pid: pid_t) -> (rss: Int, anonymous: Int, pss: Int)? {
        guard let rss = field("VmRSS:", in: "/proc/\(pid)/status"),
            let anonymous = field("RssAnon:", in: "/proc/\(pid)/status")
        else { return nil }
        return (rss, anonymous, field("Pss:", in: "/proc/\(pid)/smaps_rollup") ?? rss)
    }

    /// A number field of `/proc/<pid>/status` (`Threads:`), or nil when the process is gone.
    static func statusField(_ name: String, pid: pid_t) -> Int? {
        field(name, in: "/proc/\(pid)/status")
    }

    private static func field(_ name: String, in path: String) -> Int? {
        guard let bytes = try? LocalFileSystem().readFile(path, limit: 1 << 16) else { return nil }
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(name) {
            return Int(
                line.split(omittingEmptySubsequences: true, whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst()
                    .first ?? "")
        }
        return nil
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    /// Seconds between two event timestamps.
    static func interval(_ from: String, _ to: String) -> Double? {
        guard let a = EventTimestamp.parse(from), let b = EventTimestamp.parse(to) else { return nil }
        return Double(b.seconds - a.seconds) + Double(b.nanoseconds - a.nanoseconds) / 1e9
    }
}
