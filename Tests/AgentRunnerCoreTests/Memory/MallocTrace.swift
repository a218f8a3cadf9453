import FleetCore
import Glibc
import XCTest

/// Counts the `malloc`s a piece of code makes, with glibc's own tracer: `mtrace(3)` from
/// `libc_malloc_debug.so` (glibc 2.34+ keeps the tracer there; it needs `LD_PRELOAD`).
///
/// The parent test runs this test binary again for one probe test method, with the tracer
/// preloaded and `MALLOC_TRACE` naming a file; the probe warms up, traces its loop, and the
/// parent counts the allocation lines (`+` malloc, `>` realloc) in the trace. Every allocation
/// counts, C and Swift alike (Swift objects come from `swift_slowAlloc` → `malloc`).
///
/// (Swapping the Swift runtime's `_swift_allocObject` hook for a counting function crashed the
/// process under Foundation, apparently because the runtime calls it with a register-preserving
/// convention a Swift or C function does not honour; glibc's tracer has no such catch.)
enum MallocTrace {
    static let probeVariable = "AGENT_RUNNER_MALLOC_PROBE"
    static let probeTest = "AgentRunnerCoreTests.MemoryParsingAllocationTests/testMallocProbe"

    struct Unavailable: Error, CustomStringConvertible {
        var description: String
    }

    /// Every probe mode, traced in one child run (a child costs seconds: it loads the whole test
    /// binary), each mode into its own trace file.
    static let modes = ["control", "parse", "read-host", "read-cgroup", "round-tick"]
    /// Where the child writes `<mode>.trace`.
    static let directoryVariable = "AGENT_RUNNER_MALLOC_DIR"

    /// How many allocations each mode's traced loop made, from one child run made on first use.
    static let counts: Result<[String: Int], Unavailable> = {
        do {
            return .success(try traceEveryMode())
        } catch let error as Unavailable {
            return .failure(error)
        } catch {
            return .failure(Unavailable(description: "\(error)"))
        }
    }()

    /// The allocations `mode` made over its traced samples.
    static func allocations(probe mode: String) throws -> Int {
        let counts = try Self.counts.get()
        guard let count = counts[mode] else { throw Unavailable(description: "no trace for the probe \(mode)") }
        return count
    }

    private static func traceEveryMode() throws -> [String: Int] {
        guard let executable = LocalFileSystem().resolveSymlinks("/proc/self/exe") else {
            throw Unavailable(description: "cannot resolve /proc/self/exe")
        }
        let directory = try temporaryDirectory()
        defer { _ = try? PosixProcessRunner().run(ProcessRequest("/bin/rm", arguments: ["-rf", directory])) }
        var environment = ProcessRequest.currentEnvironment()
        environment["LD_PRELOAD"] = "libc_malloc_debug.so.0"
        environment[probeVariable] = modes.joined(separator: ",")
        environment[directoryVariable] = directory
        let output = try PosixProcessRunner().run(
            ProcessRequest(
                executable, arguments: [probeTest], environment: environment,
                standardOutput: .capture(), standardError: .mergeIntoStandardOutput, deadline: .now + .seconds(120)))
        guard output.exit.isSuccess else {
            throw Unavailable(
                description: "the malloc probe failed (\(output.exit)):\n\(output.stdoutText.suffix(3000))")
        }
        var counts: [String: Int] = [:]
        for mode in modes {
            guard let bytes = try? LocalFileSystem().readFile(directory + "/\(mode).trace", limit: 256 << 20) else {
                throw Unavailable(
                    description:
                        "no malloc trace written for \(mode) (is libc_malloc_debug.so.0 installed? glibc 2.34+)")
            }
            counts[mode] =
                String(decoding: bytes, as: UTF8.self).split(separator: "\n")
                .filter { $0.contains(" + 0x") || $0.contains(" > 0x") }.count
        }
        return counts
    }

    /// In the probe: runs `body` with the tracer on, writing to `trace`. False when the tracer
    /// is not loaded.
    static func traced(into trace: String, _ body: () -> Void) -> Bool {
        setenv("MALLOC_TRACE", trace, 1)  // mtrace(3) reads it when it starts tracing
        typealias VersionedSymbol =
            @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>, UnsafePointer<CChar>) ->
            UnsafeMutableRawPointer?
        typealias Toggle = @convention(c) () -> Void
        guard let lookup = dlsym(nil, "dlvsym"), let library = dlopen("libc_malloc_debug.so.0", RTLD_NOW | RTLD_NOLOAD)
        else { return false }
        let dlvsym = unsafeBitCast(lookup, to: VersionedSymbol.self)
        // The tracer's symbols are compat versions (`mtrace@GLIBC_2.2.5`): dlsym cannot see them.
        guard let on = dlvsym(library, "mtrace", "GLIBC_2.2.5"), let off = dlvsym(library, "muntrace", "GLIBC_2.2.5")
        else { return false }
        unsafeBitCast(on, to: Toggle.self)()
        body()
        unsafeBitCast(off, to: Toggle.self)()
        return true
    }

    private static func temporaryDirectory() throws -> String {
        var template = Array("/tmp/malloc-trace-XXXXXX".utf8CString)
        guard let path = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw Unavailable(description: "mkdtemp failed: \(SystemError.text(errno))")
        }
        return String(cString: path)
    }
}
